"""Posts as list cards (includes/cards.html): the fields a card shows and its categories,
fetched through prepared queries (core.prepared) since every list page runs them."""

from blog.models import Category, Post
from core.partial import partial_instance
from core.prepared import PreparedQuery

# What a card shows of a post. A field the card template reads beyond these costs a query
# per post (tests/test_query_budget.py notices).
CARD_FIELDS = ("title", "slug", "published_at", "featured", "teaser", "audio")

# Saves 10-11 % of a category page's uncached time (scripts/prepared_bench.py) and 7 % of
# the home page's instructions (callgrind).
_POSTS = PreparedQuery(lambda ids: Post.objects.filter(pk__in=ids).only(*CARD_FIELDS), list)
_CATEGORIES = PreparedQuery(
    lambda ids: (
        Post.categories.through.objects.filter(post_id__in=ids)
        .order_by("category__name", "category_id")
        .values_list("post_id", "category_id", "category__name", "category__slug")
    ),
    list,
)


def attach_categories(posts: list[Post]) -> list[Post]:
    """Set each post's `category_list` with one query for all of them (what
    prefetch_related("categories") does, for a fraction of its cost)."""
    ids = [post.pk for post in posts]
    by_post: dict[int, list[Category]] = {pk: [] for pk in ids}
    if ids:
        for post_id, category_id, name, slug in _CATEGORIES.rows(ids):
            loaded = {"id": category_id, "name": name, "slug": slug}
            by_post[post_id].append(partial_instance(Category, loaded))
    for post in posts:
        post.category_list = by_post[post.pk]
    return posts


def post_cards(ids: list[int]) -> list[Post]:
    """The posts with these ids (in no particular order), ready for cards: two queries."""
    return attach_categories(_POSTS.objects(Post, list(ids))) if ids else []
