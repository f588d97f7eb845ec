"""Old WordPress links by post id: `/?p=123`, `/?page_id=123`, `/blog/?p=123`.

WordPress's shortlinks have this form, and so does every link of a site that used "plain"
permalinks, at the blog's home: `/` on a host of its own, `/blog/` (or `/blog/index.php`)
for a blog installed in a folder. Every post shares that path, so django.contrib.redirects
(which matches whole paths) can't tell them apart. This middleware does: a request for an
imported blog's home with a `p` or `page_id` that an import recorded answers 301 with the
post's address. Each import knows its blog's folder (ImportedItem.source is host and
folder), so `/blog/?p=5` and `/?p=5` of two imported blogs are two different posts.

It is in MIDDLEWARE before the page cache (which drops query parameters the home page
does not read); it costs nothing on requests without `p=` or `page_id=`.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect

from blog.models import Post
from wordpress.models import ImportedItem


def blog_folder(path: str) -> str | None:
    """The folder of an old blog's home in `path` ("" for `/`, "/blog" for `/blog/` and
    `/blog/index.php`); None for paths that are no blog's home."""
    path = path.removesuffix("index.php")
    return path.rstrip("/") if path.endswith("/") else None


class WordPressIdRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if request.method in ("GET", "HEAD") and ("p=" in query or "page_id=" in query):
            folder = blog_folder(request.path_info)
            wp_id = request.GET.get("p") or request.GET.get("page_id")
            if folder is not None and wp_id and wp_id.isdigit():
                target = self._target(folder, int(wp_id))
                if target:
                    return HttpResponsePermanentRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _target(folder: str, wp_id: int) -> str | None:
        # source is "host" or "host/folder" (wxr.ScanResult.source).
        same_folder = Q(source__endswith=folder) if folder else ~Q(source__contains="/")
        items = ImportedItem.objects.filter(
            same_folder, wp_id=wp_id, content_type=ContentType.objects.get_for_model(Post)
        ).order_by("-last_imported_at")
        for item in items[:20]:
            # endswith("/blog") also matches "host/old/blog": the folder must be all of it.
            if item.source.partition("/")[2] != folder.lstrip("/"):
                continue
            post = Post.objects.published().filter(pk=item.object_id).first()
            return post.get_absolute_url() if post else None
        return None
