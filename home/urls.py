"""The front page, robots.txt, and what home composes of the content apps: the site-wide
feed, the sitemap, and the previews' addresses. Each app's own feeds live in its feeds.py;
their URLs stay here, in the `home` namespace that templates and subscribers know."""

from django.urls import path

from blog import feeds as blog_feeds
from blog import sitemaps as blog_sitemaps
from core import previews
from core.feeds import CombinedAtomFeed, CombinedFeed
from core.sitemaps import sitemap_view
from home import views
from newsletter import feeds as newsletter_feeds
from newsletter import sitemaps as newsletter_sitemaps
from projects import feeds as project_feeds
from projects import sitemaps as project_sitemaps
from search import views as search_views

app_name = "home"

# Everything together, newest first: posts, releases and newsletter issues.
LATEST = (blog_feeds.latest_items, project_feeds.latest_items, newsletter_feeds.latest_items)

sitemap = sitemap_view(
    sections=(blog_sitemaps.sections, project_sitemaps.sections, newsletter_sitemaps.sections),
    pages=[
        ("home:index", ("posts", "releases", "issues")),
        *blog_sitemaps.LIST_PAGES,
        *project_sitemaps.LIST_PAGES,
        *newsletter_sitemaps.LIST_PAGES,
    ],
)

urlpatterns = [
    path("", views.index, name="index"),
    # The search app's page, under the name templates know.
    path("search/", search_views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Feeds (reader pages, see core.feeds): RSS at …/feed/, Atom at …/feed/atom/.
    path("feed/", CombinedFeed(*LATEST), name="feed"),
    path("feed/atom/", CombinedAtomFeed(*LATEST), name="feed_atom"),
    path("feed/posts/", blog_feeds.PostsFeed(), name="posts_feed"),
    path("feed/posts/atom/", blog_feeds.PostsAtomFeed(), name="posts_feed_atom"),
    path("feed/podcast/", blog_feeds.PodcastFeed(), name="podcast_feed"),
    path("category/<slug:slug>/feed/", blog_feeds.CategoryFeed(), name="category_feed"),
    path(
        "category/<slug:slug>/feed/atom/", blog_feeds.CategoryAtomFeed(), name="category_feed_atom"
    ),
    path("series/<slug:slug>/feed/", blog_feeds.SeriesFeed(), name="series_feed"),
    path("series/<slug:slug>/feed/atom/", blog_feeds.SeriesAtomFeed(), name="series_feed_atom"),
    path("projects/<slug:slug>/feed/", project_feeds.ProjectFeed(), name="project_feed"),
    path(
        "projects/<slug:slug>/feed/atom/",
        project_feeds.ProjectAtomFeed(),
        name="project_feed_atom",
    ),
    path("newsletter/feed/", newsletter_feeds.NewsletterFeed(), name="newsletter_feed"),
    path(
        "newsletter/feed/atom/", newsletter_feeds.NewsletterAtomFeed(), name="newsletter_feed_atom"
    ),
    # Previews of drafts and scheduled items (core.previews; never cached).
    path("preview/<str:kind>/<int:pk>/", previews.staff_preview, name="preview"),
    path("preview/<str:token>/", previews.shared_preview, name="shared_preview"),
]
