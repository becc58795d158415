Attribute VB_Name = "IupjongRibbon"
' iupjong-xl ribbon glue. Every button of the ribbon tab calls OnButton; the button's tag ("module:function")
' names the Python function that does the work, run through the RunPython of the xlwings add-in (classic,
' BSD-licensed xlwings: no PRO, no server). A new button is one line in customUI.xml and one Python function;
' this module does not change. Python shows every message of a button itself (iupjong_xl.excel.dispatch).
' Korean text is kept as hex UTF-16 code points (see Ko) so that this module stays ASCII in any code page.
Option Explicit

Private Const RUN_PYTHON As String = "xlwings.xlam!RunPython"

' The Python one-liner RunPython executes; {tag} is the button's tag. Without iupjong-xl in that Python it says so.
Private Const PY_COMMAND As String = "import importlib.util as u, xlwings as x; " & _
    "__import__('iupjong_xl.excel').excel.dispatch('{tag}') if u.find_spec('iupjong_xl') else " & _
    "x.Book.caller().app.alert('\uc774 \ud30c\uc774\uc36c\uc5d0 iupjong-xl\uc774 \uc124\uce58\ub418\uc5b4 \uc788\uc9c0 \uc54a\uc2b5\ub2c8\ub2e4. \ud574\uacb0: \uba85\ub839 \ud504\ub86c\ud504\ud2b8\uc5d0\uc11c iupjong-xl \ud3f4\ub354\ub85c \uac00\uc11c pip install -e . \ub97c \uc2e4\ud589\ud55c \ub4a4 \ub2e4\uc2dc \ub204\ub974\uc138\uc694.', 'iupjong-xl', mode='critical')"

' title of the message boxes
Private Const MSG_TITLE As String = "C774C5C5C885"
' no workbook is open
Private Const MSG_NO_WORKBOOK As String = "BA3CC8000020BCF4ACE0C11C0020D1B5D5690020BB38C11CB97C0020C5F4AC70B0980020C0C8B85C0020B9CCB4E00020" & _
    "B4A40020B2E4C2DC0020B204B974C138C694002E"
' the xlwings add-in is not loaded: run iupjong addin install
Private Const MSG_NO_XLWINGS As String = "0078006C00770069006E006700730020CD94AC000020AE30B2A5C7440020CC3EC9C00020BABBD588C2B5B2C8B2E4002E" & _
    "0020D574ACB0003A0020BA85B8390020D504B86CD504D2B80028D130BBF8B1100029C5D0C11C0020006900750070006A" & _
    "006F006E006700200061006400640069006E00200069006E007300740061006C006C0020C7440020C2E4D589D558ACE0" & _
    "00200045007800630065006CC7440020B2E4C2DC0020C2DCC791D558C138C694002E"
' RunPython failed: reinstall, check the interpreter setting
Private Const MSG_RUN_FAILED As String = "D30CC774C36CC7440020C2E4D589D558C9C00020BABBD588C2B5B2C8B2E4002E0020D574ACB0003A0020BA85B8390020" & _
    "D504B86CD504D2B8C5D0C11C0020006900750070006A006F006E006700200061006400640069006E00200069006E0073" & _
    "00740061006C006C0020C7440020B2E4C2DC0020C2E4D589D558ACE0002C00200078006C00770069006E006700730020" & _
    "C124C815C75800200049006E0074006500720070007200650074006500720020ACBDB85CB97C0020D655C778D558C138" & _
    "C694002E"
' a button's tag is not module:function
Private Const MSG_BAD_TAG As String = "B9ACBCF80020B2E8CD940020C124C81500280074006100670029C7740020C798BABBB418C5C8C2B5B2C8B2E4003A0020"

' The one ribbon callback (onAction of every button).
Public Sub OnButton(control As Object)
    Dim tag As String
    tag = control.Tag
    If Not IsTag(tag) Then
        MsgBox Ko(MSG_BAD_TAG) & tag, vbExclamation, Ko(MSG_TITLE)
        Exit Sub
    End If
    If ActiveWorkbook Is Nothing Then
        MsgBox Ko(MSG_NO_WORKBOOK), vbInformation, Ko(MSG_TITLE)
        Exit Sub
    End If
    On Error GoTo Failed
    Application.Run RUN_PYTHON, Replace(PY_COMMAND, "{tag}", tag)
    Exit Sub
Failed:
    If Err.Number = 1004 Then
        MsgBox Ko(MSG_NO_XLWINGS) & vbCrLf & vbCrLf & "(" & Err.Description & ")", vbCritical, Ko(MSG_TITLE)
    Else
        MsgBox Ko(MSG_RUN_FAILED) & vbCrLf & vbCrLf & "(" & Err.Number & ": " & Err.Description & ")", _
               vbCritical, Ko(MSG_TITLE)
    End If
End Sub

' A tag is a dotted module path, one colon and a function name: nothing that could leave the Python string.
Private Function IsTag(ByVal tag As String) As Boolean
    Dim i As Long, c As String, colons As Long
    If Len(tag) = 0 Or Len(tag) > 200 Then Exit Function
    For i = 1 To Len(tag)
        c = Mid$(tag, i, 1)
        If c = ":" Then
            colons = colons + 1
        ElseIf Not (c Like "[A-Za-z0-9_.]") Then
            Exit Function
        End If
    Next i
    IsTag = (colons = 1)
End Function

' Text from hex UTF-16 code points, four hex digits a character.
Private Function Ko(ByVal hexText As String) As String
    Dim i As Long, code As Long
    For i = 1 To Len(hexText) Step 4
        code = CLng("&H" & Mid$(hexText, i, 4))
        If code < 0 Then code = code + 65536
        Ko = Ko & ChrW$(code)
    Next i
End Function
