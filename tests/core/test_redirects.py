import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site

pytestmark = pytest.mark.django_db


def test_site_record_follows_site_url():
    assert Site.objects.get_current().domain == "127.0.0.1:8000"


def test_hand_made_redirect_answers_301(client, site):
    Redirect.objects.create(site_id=1, old_path="/2019/05/old-post/", new_path="/posts/new/")
    response = client.get("/2019/05/old-post/")
    assert response.status_code == 301
    assert response["Location"] == "/posts/new/"
    assert client.get("/2019/05/unknown/").status_code == 404
