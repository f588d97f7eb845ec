"""Old addresses of renamed posts answer 301 (django.contrib.redirects rows).

Every old address points straight at the current one (no chains), and no redirect is left
whose old address is a post's current address.
"""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.db import transaction


def redirect_path(old_path: str, new_path: str):
    """Send `old_path`, and every address that led to it, to `new_path`."""
    site_id = settings.SITE_ID
    with transaction.atomic():
        Redirect.objects.filter(site_id=site_id, new_path=old_path).update(new_path=new_path)
        Redirect.objects.update_or_create(
            site_id=site_id, old_path=old_path, defaults={"new_path": new_path}
        )
        forget_redirect(new_path)


def forget_redirect(path: str):
    """`path` is live again (a post was renamed back, or a new post took it)."""
    Redirect.objects.filter(site_id=settings.SITE_ID, old_path=path).delete()
