from django.urls import path

from blog import views
from core.readerpage import reader_page

app_name = "blog"

urlpatterns = [
    path("posts/<slug:slug>/", reader_page(views.PostDetailView.as_view()), name="post"),
    path("category/<slug:slug>/", reader_page(views.CategoryView.as_view()), name="category"),
    path("archive/", reader_page(views.ArchiveView.as_view()), name="archive"),
    path("archive/<int:year>/", reader_page(views.YearArchive.as_view()), name="archive_year"),
    path(
        "archive/<int:year>/<int:month>/",
        reader_page(views.MonthArchive.as_view()),
        name="archive_month",
    ),
    path("series/", reader_page(views.SeriesListView.as_view()), name="series_list"),
    path("series/<slug:slug>/", reader_page(views.SeriesDetailView.as_view()), name="series"),
]
