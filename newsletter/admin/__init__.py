"""The newsletter's admin, one module per model: importing this package registers them
(Django's admin autodiscovery imports `newsletter.admin`)."""

from newsletter.admin import deliveries, issues, subscribers

__all__ = ["deliveries", "issues", "subscribers"]
