from django.urls import path

from core.versioning import conditional_page
from projects import views

app_name = "projects"

urlpatterns = [
    path("", conditional_page(views.ProjectListView.as_view()), name="list"),
    path("<slug:slug>/", conditional_page(views.ProjectDetailView.as_view()), name="project"),
    path(
        "<slug:slug>/releases/<str:version>/",
        conditional_page(views.ReleaseDetailView.as_view()),
        name="release",
    ),
]
