from django.urls import path

from iupjong_xl.portal.front import views

urlpatterns = [
    path("", views.home, name="home"),
    path("club/", views.club, name="club"),
    path("club/upload/", views.upload, name="upload"),
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/<int:sid>/", views.submission_detail, name="submission"),
    path("submissions/<int:sid>/submit/", views.submit, name="submit"),
    path("submissions/<int:sid>/original/", views.download_original, name="original"),
    path("submissions/<int:sid>/annotated/", views.download_annotated, name="annotated"),
    path("club/history/", views.history, name="history"),
]
