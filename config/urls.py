from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from markdownx.views import MarkdownifyView

from core.uploads import CheckedImageUploadView
from core.views import favicon, healthz, readyz, serve_media, staff_only

admin.site.site_header = "Blog admin"
admin.site.site_title = "Blog admin"
admin.site.index_title = "Write and publish"

urlpatterns = [
    path("", include("home.urls")),
    path("", include("blog.urls")),
    path("projects/", include("projects.urls")),
    path("newsletter/", include("newsletter.urls")),
    # Release webhooks from GitHub and GitLab (projects.imports.webhooks).
    path("hooks/", include("projects.imports.urls")),
    # Provider webhooks: /anymail/<provider>/tracking/ (newsletter.inbound.webhooks).
    path("anymail/", include("newsletter.inbound.webhook_urls")),
    # Admin pages of the mailings app (a post's "Send to subscribers"), before the admin's own.
    path(f"{settings.ADMIN_PATH}mailings/", include("mailings.urls")),
    path(f"{settings.ADMIN_PATH}stats/", include("stats.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon),
    # The editor's live preview and drag-and-drop upload: staff only.
    path(
        "markdownx/markdownify/",
        staff_only(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    path(
        "markdownx/upload/", staff_only(CheckedImageUploadView.as_view()), name="markdownx_upload"
    ),
]


if settings.SERVE_MEDIA:
    # Media from the app server: fine for one machine; put a web server or object storage
    # in front of it at scale (see README).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve_media),
    ]
