"""What the two signup test modules share: the form's URLs and a signup as a browser (or a
client behind a proxy) would post it."""

from django.urls import reverse

URL = reverse("newsletter:subscribe")
THANKS = reverse("newsletter:thanks")


def signup(client, email="reader@example.com", forwarded=None, **data):
    meta = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(URL, {"email": email, **data}, **meta)
