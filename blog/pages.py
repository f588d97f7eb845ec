"""The pages that show a post, for warming the page cache after it changes (core.warming)."""

from core.models import Status


def post_pages(post) -> list[str]:
    if post.status != Status.PUBLISHED:  # live or scheduled: a scheduled one is warmed on time
        return []
    pages = [post.get_absolute_url()]
    pages += [category.get_absolute_url() for category in post.categories.all()]
    if post.series_id:
        pages.append(post.series.get_absolute_url())
    return pages
