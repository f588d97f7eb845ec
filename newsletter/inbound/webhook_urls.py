"""The provider webhook URLs, /anymail/<provider>/tracking/ (config/urls.py includes them):
anymail's tracking views, each behind a check of the shared secret.

anymail itself only warns when ANYMAIL_WEBHOOK_SECRET is unset, and then accepts anyone's
posts; here, with DEBUG off, every webhook answers 403 until the secret is set. A
provider whose signing key anymail needs and does not have (MAILGUN_WEBHOOK_SIGNING_KEY,
say) answers 403 too, instead of anymail's configuration error as a 500. A post without
the right basic-auth credentials answers 401 with a challenge (Amazon SNS sends
credentials only after one).
The provider's own signature (Mailgun, Postal, Resend, SendGrid, Mandrill…) is then checked
by anymail's view, which answers 400 to a bad one; Amazon SNS's, which anymail does not
check, by newsletter.inbound.sns (400 too). A body anymail cannot read is a 400, not its
error as a 500. Only the tracking webhooks are served: the site receives no mail through
a provider.
"""

import functools
import json
import logging

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailAPIError, AnymailConfigurationError
from anymail.utils import get_anymail_setting, get_request_basic_auth
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import URLPattern
from django.utils.crypto import constant_time_compare

from newsletter.inbound import sns

logger = logging.getLogger(__name__)

app_name = "anymail"  # the URL names stay anymail's: "anymail:postmark_tracking_webhook"

# Methods that change nothing: some providers probe the URL with HEAD when it is set up.
SAFE_METHODS = {"HEAD", "OPTIONS"}


def webhook_secrets() -> list[str]:
    """The accepted "user:password" pairs (ANYMAIL["WEBHOOK_SECRET"]: one, or a list while
    rotating)."""
    value = get_anymail_setting("webhook_secret", default=None)
    if not value:
        return []
    return [value] if isinstance(value, str) else [secret for secret in value if secret]


def _authorised(request, secrets: list[str]) -> bool:
    given = get_request_basic_auth(request) or ""
    return any(constant_time_compare(given, secret) for secret in secrets)


def guarded(view):
    """`view`, answering 403 without a configured secret (DEBUG off) and 401 without the
    right credentials, before anymail reads anything of the request."""

    @functools.wraps(view)  # keeps csrf_exempt: providers post without a CSRF token
    def webhook(request, *args, **kwargs):
        secrets = webhook_secrets()
        if not secrets and not settings.DEBUG:
            logger.warning("Refused a webhook post to %s: no ANYMAIL_WEBHOOK_SECRET", request.path)
            return HttpResponseForbidden("Provider webhooks are off: ANYMAIL_WEBHOOK_SECRET.\n")
        if secrets and request.method not in SAFE_METHODS and not _authorised(request, secrets):
            logger.warning("Refused a webhook post to %s: wrong credentials", request.path)
            response = HttpResponse("Authentication required.\n", status=401)
            response["WWW-Authenticate"] = 'Basic realm="webhooks", charset="UTF-8"'
            return response
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError as error:
            logger.warning("Refused a webhook post to %s: %s", request.path, error)
            return HttpResponseForbidden("This provider's webhook is not configured.\n")
        except AnymailAPIError as error:  # a body it could not read
            logger.warning("Refused a webhook post to %s: %s", request.path, str(error)[:300])
            return HttpResponseBadRequest("Unreadable webhook payload.\n")

    return webhook


def sns_signed(view):
    """`view` (Amazon SES's), reached only by messages Amazon SNS signed; a signed
    subscription confirmation is confirmed here (newsletter.inbound.sns)."""

    @functools.wraps(view)
    def webhook(request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return view(request, *args, **kwargs)
        try:
            message = json.loads(request.body)
            sns.verify(message)
            if message["Type"] == "SubscriptionConfirmation":
                sns.confirm_subscription(message)
                return HttpResponse("Subscription confirmed.\n")
        except (ValueError, sns.Refused) as error:
            logger.warning("Refused an Amazon SNS post to %s: %s", request.path, error)
            return HttpResponseBadRequest("Not a message signed by Amazon SNS.\n")
        except sns.Unavailable as error:
            logger.warning("Could not check an Amazon SNS post to %s: %s", request.path, error)
            return HttpResponse("Amazon's signing certificate is out of reach.\n", status=503)
        return view(request, *args, **kwargs)

    return webhook


def _checked(pattern: URLPattern):
    """The provider's view behind the secret, and for Amazon SES behind SNS's signature."""
    view = pattern.callback
    if pattern.name == "amazon_ses_tracking_webhook":
        view = sns_signed(view)
    return guarded(view)


urlpatterns = [
    URLPattern(pattern.pattern, _checked(pattern), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
    if isinstance(pattern, URLPattern) and (pattern.name or "").endswith("tracking_webhook")
]
