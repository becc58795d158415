from django.urls import path

from iupjong_xl.portal.public import views

app_name = "public"

urlpatterns = [
    path("robots.txt", views.robots, name="robots"),
    path("public/", views.index, name="index"),
    path("public/stats/", views.stats, name="stats"),
    path("public/stats.csv", views.stats_csv, name="stats_csv"),
    path("public/companies/", views.companies, name="companies"),
    path("public/companies/<int:year>/<int:company_id>/", views.company, name="company"),
    path("public/clubs/<int:year>/<str:code>/", views.club, name="club"),
    path("public/data/", views.data, name="data"),
    path("public/data/<path:name>", views.data_file, name="data_file"),
]
