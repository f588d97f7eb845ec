"""Cross-site protection for public forms on cached pages (the newsletter signup).

Django's CSRF protection pairs a token in the form with a cookie, so every page carrying a
form would set a cookie and could never come from the shared page cache. Public forms whose
worst forgery is a signup that still needs confirming by email use this instead:

- the browser must say the POST comes from this site: `Sec-Fetch-Site` is `same-origin`
  (or `none`, typed by the user), else `Origin` matches the host (or CSRF_TRUSTED_ORIGINS),
  else, over HTTPS, the `Referer` does; a POST that names another site is refused;
- the form must carry a signed, time-stamped token (`{% public_form_token %}`), the same
  for every reader, so cached pages can hold it: a POST without one, with a forged one or
  with one older than PUBLIC_FORM_MAX_AGE is refused with a message asking to reload.

Refusals answer 403 and store nothing. Like Django's CsrfViewMiddleware, the checks step
aside for the test client unless it was built with `enforce_csrf_checks=True`.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

FIELD = "form_token"
SALT = "core.formguard.public-form"


def form_token() -> str:
    return signing.TimestampSigner(salt=SALT).sign("public-form")


def _same_site(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    own = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
    trusted = {own, *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in trusted
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" in trusted
    # No browser metadata at all (old clients, scripts): only plain HTTP development lets
    # that through, as Django's own check does.
    return not request.is_secure()


def _valid_token(value: str) -> bool:
    try:
        signing.TimestampSigner(salt=SALT).unsign(value, max_age=settings.PUBLIC_FORM_MAX_AGE)
    except signing.BadSignature:
        return False
    return True


def public_form(view):
    """Protect a public form's POST view with the checks above instead of Django's CSRF."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not getattr(request, "_dont_enforce_csrf_checks", False):
            if not _same_site(request):
                return _refuse(request, "This form can only be sent from this site's pages.")
            if not _valid_token(request.POST.get(FIELD, "")):
                return _refuse(
                    request,
                    "This form has expired or is incomplete. Please reload the page and send "
                    "it again.",
                )
        return view(request, *args, **kwargs)

    return wrapper


def _refuse(request, reason: str):
    return render(request, "form_refused.html", {"reason": reason}, status=403)
