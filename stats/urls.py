from django.contrib import admin
from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="dashboard"),
]
