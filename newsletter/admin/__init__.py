"""The newsletter's admin, one module per model or topic: importing this package registers
them (Django's admin autodiscovery imports `newsletter.admin`)."""

from newsletter.admin import deliveries, issues, mail, subscribers, topics

__all__ = ["deliveries", "issues", "mail", "subscribers", "topics"]
