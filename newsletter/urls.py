from django.urls import path

from core.readerpage import reader_page
from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", reader_page(views.NewsletterView.as_view()), name="index"),
    path("issues/<int:number>/", reader_page(views.IssueDetailView.as_view()), name="issue"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
]
