from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("posts/<slug:slug>/", views.PostDetailView.as_view(), name="post"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<int:year>/", views.YearArchive.as_view(), name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.MonthArchive.as_view(), name="archive_month"),
]
