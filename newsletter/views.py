from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from core.models import SiteSettings
from core.views import PublishedMixin
from newsletter.forms import SignupForm
from newsletter.models import Issue, Subscriber


def reader_count(site: SiteSettings) -> int | None:
    """The number of active subscribers, or None while it is too small to be worth showing."""
    count = Subscriber.objects.active().count()
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


@require_POST
def subscribe(request):
    """Store a signup from any page's form, then show the thank-you page (post/redirect/get).

    Invalid input is shown again with its errors and nothing is stored."""
    form = SignupForm(request.POST)
    if not form.is_valid():
        site = SiteSettings.get_solo()
        context = {"form": form, "site": site}
        return render(request, "newsletter/subscribe.html", context, status=400)
    if not form.is_bot():
        form.save()
    return redirect("newsletter:thanks")


def thanks(request):
    return render(request, "newsletter/thanks.html")
