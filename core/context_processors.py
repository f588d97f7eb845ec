from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core.models import SiteSettings


def site(request):
    """The site settings record, read at most once per request and only when a template
    asks for it."""
    return {"site": SimpleLazyObject(SiteSettings.get_solo), "SITE_URL": settings.SITE_URL}
