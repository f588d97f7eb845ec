from django.urls import path

from blog import views
from core.versioning import conditional_page

app_name = "blog"

urlpatterns = [
    path("posts/<slug:slug>/", conditional_page(views.PostDetailView.as_view()), name="post"),
    path("category/<slug:slug>/", conditional_page(views.CategoryView.as_view()), name="category"),
    path("archive/", conditional_page(views.ArchiveView.as_view()), name="archive"),
    path("archive/<int:year>/", conditional_page(views.YearArchive.as_view()), name="archive_year"),
    path(
        "archive/<int:year>/<int:month>/",
        conditional_page(views.MonthArchive.as_view()),
        name="archive_month",
    ),
    path("series/", conditional_page(views.SeriesListView.as_view()), name="series_list"),
    path("series/<slug:slug>/", conditional_page(views.SeriesDetailView.as_view()), name="series"),
]
