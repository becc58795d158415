"""Workbooks written for people: the consolidated workbook, annotated copies, the findings workbook, templates."""
