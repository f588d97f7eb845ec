"""Print PostgreSQL's plans (EXPLAIN ANALYZE) for the reader queries at benchmark size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/blog_bench \\
        .venv/bin/python manage.py shell < scripts/explain.py

Run it against the database `make bench` prepares (10,000 posts): the home timeline's
UNION, a category page, a month archive, the content version and a search. Each plan should
use the indexes the README lists, with no sequential scan over the posts table.
"""

from django.db import connection
from django.db.models import CharField, Value

from blog.models import Category, Post
from newsletter.models import Issue
from projects.models import Release
from search.query import SiteSearch


def keys(model, kind):
    return (
        model.objects.published()
        .order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("kind", "pk", "published_at")
    )


def explain(title, queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"--- {title}\n{plan}\n")


timeline = keys(Post, "post").union(keys(Release, "release"), keys(Issue, "issue"), all=True)
explain("home timeline, page 1", timeline.order_by("-published_at", "kind", "-pk")[:11])
explain("home timeline, page 50", timeline.order_by("-published_at", "kind", "-pk")[490:501])
category = Category.objects.first()
explain(
    "category page",
    Post.objects.published().filter(categories=category).order_by("-published_at")[:20],
)
latest = Post.objects.published().order_by("-published_at").first().published_at
explain(
    "month archive",
    Post.objects.published()
    .filter(published_at__year=latest.year, published_at__month=latest.month)
    .order_by("-published_at")[:20],
)
explain("scheduled: next publication", Post.objects.scheduled().order_by("published_at")[:1])
explain("search", SiteSearch("serverless functions").queryset()[:10])
explain("search in a category", SiteSearch("cold", category_id=category.pk).queryset()[:10])

with connection.cursor() as cursor:
    from core import versioning

    parts, params = [], []
    for index, source in enumerate(versioning._sources):
        sql, source_params = versioning._source_sql(index, source)
        parts.append(sql)
        params.extend(source_params)
    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + " UNION ALL ".join(parts), params)
    print("--- content version\n" + "\n".join(row[0] for row in cursor.fetchall()))
