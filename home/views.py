from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from core import crawlers
from core.links import absolute_url
from core.models import SiteSettings
from core.pagination import page_number
from core.readerpage import reader_page
from home.timeline import timeline_page
from newsletter.forms import SignupForm
from newsletter.views import reader_count


@reader_page(query=("page",))
def index(request):
    """The author card, the newsletter call to action and the latest timeline."""
    try:
        number = page_number(request.GET.get("page", 1), settings.TIMELINE_PAGE_SIZE)
    except InvalidPage:
        raise Http404("No such page") from None
    page = timeline_page(number, settings.TIMELINE_PAGE_SIZE)
    if number > 1 and not page.items:
        raise Http404("No such page")
    site = SiteSettings.get_solo()
    context = {
        "site": site,
        "page": page,
        "reader_count": reader_count(site),
        "form": SignupForm(),
    }
    return render(request, "home/index.html", context)


@require_GET
@reader_page
@cache_control(max_age=60 * 60 * 24)
def robots_txt(request):
    """Every crawler may read the site but the admin, previews and search; the AI training
    crawlers of the families the author refused (site settings) may read nothing."""
    refused = crawlers.refused(SiteSettings.get_solo().ai_crawlers_refused)
    lines = []
    if refused:
        lines.append("# AI training crawlers refused in the site settings")
        lines += [
            f"User-agent: {token}" for token in sorted({c.token for c in refused}, key=str.lower)
        ]
        lines += ["Disallow: /", ""]
    lines += [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "Disallow: /markdownx/",
        "",
        f"Sitemap: {absolute_url(reverse('home:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
