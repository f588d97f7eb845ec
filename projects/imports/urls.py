from django.urls import path

from projects.imports import webhooks

app_name = "hooks"

urlpatterns = [
    path("github/", webhooks.github, name="github"),
    path("gitlab/", webhooks.gitlab, name="gitlab"),
]
