from django.apps import AppConfig
from django.db.models.signals import m2m_changed


class BlogConfig(AppConfig):
    name = "blog"

    def ready(self):
        from blog import pages, previews, searchable
        from blog.models import Category, Post, PostUpdate, Series
        from core import dashboard, rerendering, versioning, warming
        from core.markdown import first_paragraph_text, render_markdown

        dashboard.register_writable(Post)
        # What readers see, for ETags, Last-Modified and the page cache (core.versioning).
        versioning.register(Post, "updated_at", "published_at", published=True)
        for model in (PostUpdate, Series, Category):
            versioning.register(model)
        m2m_changed.connect(
            versioning.invalidate,
            sender=Post.categories.through,
            weak=False,
            dispatch_uid="version-post-categories",
        )
        previews.register()
        # The pages to warm after a post changes (core.warming).
        warming.register(Post, pages.post_pages)
        searchable.register()
        # What `manage.py rerender_markdown` renders again after a renderer upgrade: what
        # Post.save() derives from the body (core.rerendering).
        rerendering.register(
            Post,
            fields=("body", "excerpt", "body_html", "teaser"),
            render=lambda post: {
                "body_html": render_markdown(post.body),
                "teaser": post.excerpt.strip() or first_paragraph_text(post.body),
            },
        )
        rerendering.register_markdown(PostUpdate, "note")
        rerendering.register_markdown(Series, "description")
