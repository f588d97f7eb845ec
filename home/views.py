from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from blog.models import Category
from core.links import absolute_url
from core.models import SiteSettings
from core.pagination import page_number
from core.readerpage import reader_page
from home.search import Kind, SiteSearch
from home.timeline import timeline_page
from newsletter.forms import SignupForm
from newsletter.views import reader_count

SEARCH_PAGE_SIZE = 10


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
@reader_page(query=("q", "kind", "category", "page"))
def search(request):
    """Search posts, releases and issues: `q` (websearch syntax), `kind`, `category`, `page`.

    Any input gives a page: an empty query shows the form, nonsense finds nothing."""
    categories = list(Category.objects.order_by("name"))
    category = next((c for c in categories if c.slug == request.GET.get("category")), None)
    query = SiteSearch(
        request.GET.get("q", ""),
        kind=request.GET.get("kind", ""),
        category_id=category.pk if category else None,
    )
    page = results = None
    if query:
        page = Paginator(query.queryset(), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        results = query.results(page.object_list)
    context = {
        "query": query,
        "page_obj": page,
        "results": results,
        "categories": categories,
        "category": category,
        "kinds": [(Kind.POST, "Posts"), (Kind.RELEASE, "Releases"), (Kind.ISSUE, "Newsletter")],
    }
    return render(request, "home/search.html", context)


@require_GET
@reader_page
@cache_control(max_age=60 * 60 * 24)
def robots_txt(request):
    lines = [
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
