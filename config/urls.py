from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from markdownx.views import ImageUploadView, MarkdownifyView

from core.views import favicon, healthz, staff_only

admin.site.site_header = "Blog admin"
admin.site.site_title = "Blog admin"
admin.site.index_title = "Write and publish"

urlpatterns = [
    path("", include("home.urls")),
    path("", include("blog.urls")),
    path("projects/", include("projects.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    # The editor's live preview and drag-and-drop upload: staff only.
    path(
        "markdownx/markdownify/",
        staff_only(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    path("markdownx/upload/", staff_only(ImageUploadView.as_view()), name="markdownx_upload"),
]


def serve_media(request, path):
    # MEDIA_ROOT is read per request (tests point it at a temporary folder).
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    # Media from the app server: fine for one machine; put a web server or object storage
    # in front of it at scale (see README).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve_media),
    ]
