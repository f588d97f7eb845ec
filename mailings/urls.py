from django.contrib import admin
from django.urls import path

from mailings import views

app_name = "mailings"

urlpatterns = [
    path("posts/<int:pk>/send/", admin.site.admin_view(views.send_post), name="send_post"),
]
