from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


class PublishedMixin:
    """Reader views see only published items (see PublishableQuerySet.published)."""

    model = None

    def get_queryset(self):
        return self.model.objects.published()


def staff_only(view):
    """Wrap a view (the Markdown preview, the image upload) so only staff reach it."""
    return staff_member_required(view)


@never_cache
def healthz(request):
    """The process answers. Cheap, never cached, touches no database."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin's).
    Resolved per request: the hashed static name exists only after collectstatic."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
