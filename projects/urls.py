from django.urls import path

from core.readerpage import reader_page
from projects import views

app_name = "projects"

urlpatterns = [
    path("", reader_page(views.ProjectListView.as_view()), name="list"),
    path("<slug:slug>/", reader_page(views.ProjectDetailView.as_view()), name="project"),
    path(
        "<slug:slug>/releases/<str:version>/",
        reader_page(views.ReleaseDetailView.as_view()),
        name="release",
    ),
]
