from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
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
