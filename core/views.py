from django.contrib.admin.views.decorators import staff_member_required


class PublishedMixin:
    """Reader views see only published items (see PublishableQuerySet.published)."""

    model = None

    def get_queryset(self):
        return self.model.objects.published()


def staff_only(view):
    """Wrap a view (the Markdown preview, the image upload) so only staff reach it."""
    return staff_member_required(view)
