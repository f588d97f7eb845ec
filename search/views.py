"""The search page, /search/ (URL name `home:search`: its path stays in home's URLs, where
templates and bookmarks know it)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from blog.models import Category
from core import searchindex
from core.readerpage import reader_page
from search.query import SiteSearch

SEARCH_PAGE_SIZE = 10


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
        "kinds": [(s.kind, s.filter_label) for s in searchindex.searchables()],
    }
    return render(request, "search/search.html", context)
