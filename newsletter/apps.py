from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from anymail.signals import tracking
        from django.db.models.signals import post_save

        from core import readiness, rerendering, versioning, warming
        from core.models import SiteSettings
        from core.signals import worker_started
        from newsletter import dashboard, pages, previews, searchable, tasks
        from newsletter.inbound import polling, webhooks
        from newsletter.models import Issue

        dashboard.register()
        # What readers see, for ETags, Last-Modified and the page cache (core.versioning).
        versioning.register(Issue, "updated_at", "published_at", published=True)
        previews.register()
        # The pages to warm after an issue changes (core.warming).
        warming.register(Issue, pages.issue_pages)
        searchable.register()
        # What `manage.py rerender_markdown` renders again (core.rerendering).
        rerendering.register_markdown(Issue, "body")
        # The bounce mailbox: read on a schedule by the workers, reported on /readyz.
        worker_started.connect(tasks.start_mailbox_polling, dispatch_uid="newsletter-mailbox")
        readiness.register("bounce mailbox", polling.readiness)
        # The scheduled draft of the next issue (the site settings say when).
        worker_started.connect(tasks.arm_digest_schedule, dispatch_uid="newsletter-digest")
        post_save.connect(
            tasks.arm_digest_schedule, sender=SiteSettings, dispatch_uid="newsletter-digest"
        )
        # Provider webhooks: anymail's tracking events, through the same policy.
        tracking.connect(webhooks.receive, dispatch_uid="newsletter-webhooks")
