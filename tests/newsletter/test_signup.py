import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

URL = reverse("newsletter:subscribe")


def test_signup_stores_subscriber_and_thanks_the_reader(client, site):
    response = client.post(
        URL, {"email": "Reader@Example.COM ", "name": "Rea", "source": "home"}, follow=True
    )
    assert response.redirect_chain == [(reverse("newsletter:thanks"), 302)]
    assert "Thank you for subscribing" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader@example.com"
    assert subscriber.name == "Rea"
    assert subscriber.source == "home"
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_existing_address_gets_the_same_answer_and_no_duplicate(client, site):
    SubscriberFactory(email="reader@example.com", name="Original")
    response = client.post(URL, {"email": "READER@example.com", "name": "Other"})
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:thanks")
    assert Subscriber.objects.get().name == "Original"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "Enter your email address."),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"email": "a@b"}, "Enter a valid email address"),
        ({"email": "x" * 250 + "@example.com"}, "Ensure this value has at most 254 characters"),
        ({"email": "ok@example.com", "name": "n" * 101}, "at most 100 characters"),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, site, data, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "your signup was not saved" in html
    assert 'aria-invalid="true"' in html or "Name:" in html
    assert not Subscriber.objects.exists()


def test_entered_values_are_kept_after_an_error(client, site):
    response = client.post(URL, {"email": "broken@", "name": "Sam"})
    html = response.content.decode()
    assert 'value="broken@"' in html
    assert 'value="Sam"' in html


def test_honeypot_filled_by_a_bot_stores_nothing(client, site):
    response = client.post(URL, {"email": "bot@example.com", "website": "http://spam"})
    assert response.status_code == 302
    assert not Subscriber.objects.exists()


def test_signup_only_accepts_post(client, site):
    assert client.get(URL).status_code == 405


def test_signup_form_is_on_home_newsletter_and_post_pages(client, site):
    from tests.factories import PostFactory

    post = PostFactory()
    for url in ("/", reverse("newsletter:index"), post.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'action="{URL}"' in html, url
        assert 'name="csrfmiddlewaretoken"' in html


def test_reader_count_shown_only_when_meaningful(client, site):
    SubscriberFactory.create_batch(2)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    assert "readers" not in client.get("/").content.decode()
    SubscriberFactory()
    assert "Join 3 readers." in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("count", "text"), [(950, "950"), (1000, "1K"), (11_400, "11K"), (2_250, "2.2K"),
                        (1_250_000, "1.2M")]
)  # fmt: skip
def test_reader_count_is_shortened(count, text):
    from core.templatetags.site_tags import intword_short

    assert intword_short(count) == text
