from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"

    def ready(self):
        from blog.models import Post
        from core import dashboard

        dashboard.register_writable(Post)
