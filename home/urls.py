from django.urls import path

from core.versioning import conditional_page
from home import feeds, previews, sitemaps, views

app_name = "home"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", conditional_page(sitemaps.sitemap), name="sitemap"),
    # Feeds: RSS at …/feed/, Atom at …/feed/atom/.
    path("feed/", conditional_page(feeds.EverythingFeed()), name="feed"),
    path("feed/atom/", conditional_page(feeds.EverythingAtomFeed()), name="feed_atom"),
    path("feed/posts/", conditional_page(feeds.PostsFeed()), name="posts_feed"),
    path("feed/posts/atom/", conditional_page(feeds.PostsAtomFeed()), name="posts_feed_atom"),
    path("feed/podcast/", conditional_page(feeds.PodcastFeed()), name="podcast_feed"),
    path(
        "category/<slug:slug>/feed/",
        conditional_page(feeds.CategoryFeed()),
        name="category_feed",
    ),
    path(
        "category/<slug:slug>/feed/atom/",
        conditional_page(feeds.CategoryAtomFeed()),
        name="category_feed_atom",
    ),
    path("series/<slug:slug>/feed/", conditional_page(feeds.SeriesFeed()), name="series_feed"),
    path(
        "series/<slug:slug>/feed/atom/",
        conditional_page(feeds.SeriesAtomFeed()),
        name="series_feed_atom",
    ),
    path(
        "projects/<slug:slug>/feed/",
        conditional_page(feeds.ProjectFeed()),
        name="project_feed",
    ),
    path(
        "projects/<slug:slug>/feed/atom/",
        conditional_page(feeds.ProjectAtomFeed()),
        name="project_feed_atom",
    ),
    path("newsletter/feed/", conditional_page(feeds.NewsletterFeed()), name="newsletter_feed"),
    path(
        "newsletter/feed/atom/",
        conditional_page(feeds.NewsletterAtomFeed()),
        name="newsletter_feed_atom",
    ),
    # Previews of drafts and scheduled items (home.previews).
    path("preview/<str:kind>/<int:pk>/", previews.staff_preview, name="preview"),
    path("preview/<str:token>/", previews.shared_preview, name="shared_preview"),
]
