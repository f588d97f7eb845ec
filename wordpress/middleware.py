"""Old WordPress links by post id: `/?p=123`, `/?page_id=123`.

WordPress's shortlinks have this form, and so does every link of a site that used "plain"
permalinks. The path is `/`, the home page here, so django.contrib.redirects (which only
answers 404s, and matches whole paths) never sees them. This middleware does: a request
for `/` with a `p` or `page_id` that an import recorded answers 301 with the post's address.

Enable it by adding "wordpress.middleware.WordPressIdRedirectMiddleware" to MIDDLEWARE
(anywhere after SessionMiddleware); it costs nothing on other requests.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponsePermanentRedirect

from blog.models import Post
from wordpress.models import ImportedItem


class WordPressIdRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/" and request.method in ("GET", "HEAD"):
            wp_id = request.GET.get("p") or request.GET.get("page_id")
            if wp_id and wp_id.isdigit():
                target = self._target(int(wp_id))
                if target:
                    return HttpResponsePermanentRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _target(wp_id: int) -> str | None:
        item = (
            ImportedItem.objects.filter(
                wp_id=wp_id, content_type=ContentType.objects.get_for_model(Post)
            )
            .order_by("-last_imported_at")
            .first()
        )
        if item is None:
            return None
        post = Post.objects.published().filter(pk=item.object_id).first()
        return post.get_absolute_url() if post else None
