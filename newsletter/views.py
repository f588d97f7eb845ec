from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView, ListView

from core.formguard import public_form
from core.models import SiteSettings
from core.views import PublishedMixin
from newsletter import ratelimit, subscriptions, tokens, topics
from newsletter.forms import PreferencesForm, SignupForm
from newsletter.models import Issue, Subscriber, Topic

# Signup boxes print the reader count exactly below a thousand and rounded above ("11K",
# core.templatetags.site_tags.intword_short).
READER_COUNT_EXACT_BELOW = 1000
# How long a count of a thousand readers or more is reused (an old "Join 11K readers" for a
# few minutes is harmless: core.versioning leaves reader counts out of the page version).
READER_COUNT_SECONDS = 300
READER_COUNT_KEY = "newsletter:reader-count"


def active_reader_count() -> int:
    """The number of active subscribers, in one query, whose cost stops growing with the
    list at READER_COUNT_EXACT_BELOW rows.

    Below READER_COUNT_EXACT_BELOW the count is exact on every call. Above, a full count is
    kept in the cache for READER_COUNT_SECONDS; meanwhile each call only checks, counting no
    further than READER_COUNT_EXACT_BELOW rows, that the list has not fallen below it (then
    the exact count shows at once). One full count per READER_COUNT_SECONDS remains."""
    active = Subscriber.objects.active().order_by()
    known = cache.get(READER_COUNT_KEY)
    if known is None:
        count = active.count()
        if count >= READER_COUNT_EXACT_BELOW:
            cache.set(READER_COUNT_KEY, count, READER_COUNT_SECONDS)
        return count
    count = active[:READER_COUNT_EXACT_BELOW].count()
    if count < READER_COUNT_EXACT_BELOW:
        cache.delete(READER_COUNT_KEY)
        return count
    return known


def reader_count(site: SiteSettings) -> int | None:
    """The number of active subscribers, or None while it is too small to be worth showing."""
    count = active_reader_count()
    return count if count and count >= site.subscriber_count_threshold else None


class NewsletterView(PublishedMixin, ListView):
    """The pitch, the signup form, the latest issue and the archive of issues."""

    model = Issue
    template_name = "newsletter/index.html"
    context_object_name = "issues"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().defer("body", "body_html")

    def get_context_data(self, **kwargs):
        site = SiteSettings.get_solo()
        context = super().get_context_data(site=site, reader_count=reader_count(site), **kwargs)
        page = context["page_obj"]
        context["latest_issue"] = page.object_list[0] if page.number == 1 and page else None
        context["form"] = kwargs.get("form") or SignupForm()
        context["signup_topics"] = list(topics.offered_at_signup())
        return context


class IssueDetailView(PublishedMixin, DetailView):
    model = Issue
    context_object_name = "issue"
    slug_field = "number"
    slug_url_kwarg = "number"

    def get_context_data(self, **kwargs):
        published = Issue.objects.published().only("number", "title", "subtitle")
        number = self.object.number
        return super().get_context_data(
            previous_issue=published.filter(number__lt=number).order_by("-number").first(),
            next_issue=published.filter(number__gt=number).order_by("number").first(),
            **kwargs,
        )


@public_form  # no CSRF cookie: the form sits on cached pages (see core.formguard)
@require_POST
def subscribe(request):
    """A signup from any page's form, then "check your inbox" (post/redirect/get).

    Rate limited per client address (429 once tripped). Invalid input is shown again with
    its errors and nothing is stored. Valid input always gets the same answer, whether the
    address is new, pending or already subscribed (subscriptions.signup has the rules)."""
    allowed, retry_after = ratelimit.signup_allowed(request)
    if not allowed:
        response = render(
            request,
            "newsletter/rate_limited.html",
            {"retry_minutes": max(1, round(retry_after / 60))},
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response
    form = SignupForm(request.POST)
    if not form.is_valid():
        site = SiteSettings.get_solo()
        context = {"form": form, "site": site}
        if form.data.get("choosing"):
            context["signup_topics"] = list(topics.offered_at_signup())
        elif len(keys := form.data.getlist("topics")) == 1:  # a project's "Email me releases"
            context["topic_key"] = keys[0]
        return render(request, "newsletter/subscribe.html", context, status=400)
    if not form.is_bot():
        data = form.cleaned_data
        subscriptions.signup(data["email"], data["name"], data["source"], data["topics"])
    return redirect("newsletter:thanks")


def thanks(request):
    return render(request, "newsletter/thanks.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button; only the POST confirms, so the link scanners of mail systems,
    which follow links but do not submit forms, cannot subscribe anyone."""
    subscriber = tokens.subscriber_for_confirm_token(token)
    if subscriber is None or subscriber.status not in (
        Subscriber.Status.PENDING,
        Subscriber.Status.ACTIVE,
    ):
        return render(request, "newsletter/link_invalid.html", {"kind": "confirm"}, status=404)
    if request.method == "POST":
        subscriptions.confirm(subscriber)
        return redirect("newsletter:confirmed")
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


def confirmed(request):
    return render(request, "newsletter/confirmed.html")


@never_cache
@csrf_exempt  # RFC 8058: mail providers POST here without a form; the token is the proof.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The link in every email's footer and List-Unsubscribe header. A POST (the
    one-click "List-Unsubscribe=One-Click" from a mail client, or the button here) leaves
    the email's topic at once (everything, for a link without one); a GET only shows the
    button. Leaving the last topic is unsubscribing."""
    target = tokens.unsubscribe_target(token)
    if target is None:
        return render(request, "newsletter/link_invalid.html", {"kind": "unsubscribe"}, status=404)
    subscriber, topic_id = target
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
    context = {"subscriber": subscriber, "topic": topic, "token": token}
    if request.method == "POST":
        context["remaining"] = topics.leave(subscriber, topic.pk if topic else None)
        return render(request, "newsletter/unsubscribed.html", context)
    return render(request, "newsletter/unsubscribe.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    """What this subscriber receives, from the signed link in every email (no login):
    tick topics, or leave everything. Someone who already left signs up again instead
    (a new confirmation), since a forwarded email's link must not re-subscribe anyone."""
    target = tokens.unsubscribe_target(token)
    if target is None:  # an erased subscriber's link says no more than a forged one
        return render(request, "newsletter/link_invalid.html", {"kind": "preferences"}, status=404)
    subscriber = target[0]
    active = subscriber.status == Subscriber.Status.ACTIVE
    form = PreferencesForm(
        request.POST if request.method == "POST" and active else None,
        initial={"topics": list(subscriber.topics.all())},
    )
    saved = None
    if request.method == "POST" and active:
        if "leave" in request.POST:
            saved = topics.set_topics(subscriber, [])
        elif form.is_valid():
            saved = topics.set_topics(subscriber, form.cleaned_data["topics"])
        subscriber.refresh_from_db()
    context = {
        "subscriber": subscriber,
        "form": form,
        "saved": saved,
        "followed": list(subscriber.topics.all()),
        "signup_form": SignupForm(initial={"email": subscriber.email}),
    }
    return render(request, "newsletter/preferences.html", context)
