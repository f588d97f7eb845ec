from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from core.models import SiteSettings
from home.timeline import timeline_page
from newsletter.forms import SignupForm
from newsletter.views import reader_count


def index(request):
    """The author card, the newsletter call to action and the latest timeline."""
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        raise Http404("No such page") from None
    if number < 1:
        raise Http404("No such page")
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
