"""What a reader sees: exactly the published content, in order, on every page type."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    ago,
)
from tests.hidden_content import assert_hidden

pytestmark = pytest.mark.django_db


def test_home_shows_author_card_cta_and_mixed_timeline_newest_first(client, hidden):
    project = hidden["project"]
    post = PostFactory(title="Cold starts explained", published_at=ago(days=3), audio="")
    release = ReleaseFactory(project=project, version="0.10.0", published_at=ago(days=2))
    issue = IssueFactory(number=3, subtitle="On retries", published_at=ago(days=1))

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Example" in html
    assert "Serverless &amp; startups" in html
    assert "<strong>serverless</strong>" in html
    assert 'href="https://github.com/ada-example"' in html
    assert "LinkedIn" not in html  # blank social links are hidden
    assert "Practical serverless tips every Monday" in html
    assert html.index("Warm Start: Issue #3") < html.index("Lambda Router v0.10.0 released")
    assert html.index("Lambda Router v0.10.0 released") < html.index("Cold starts explained")
    assert "Project update" in html
    assert "On retries" in html
    assert "Continue reading" in html
    assert "Read more" in html
    assert [kind for kind, _ in response.context["page"].items] == ["issue", "release", "post"]
    assert {obj for _, obj in response.context["page"].items} == {post, release, issue}
    assert_hidden(response, hidden)


def test_timeline_interleaves_kinds_across_page_boundaries(client, site, settings):
    settings.TIMELINE_PAGE_SIZE = 4
    project = ProjectFactory()
    expected = []
    for day in range(11):
        when = ago(days=day)
        maker = [
            lambda w: PostFactory(published_at=w),
            lambda w: ReleaseFactory(project=project, published_at=w),
            lambda w: IssueFactory(published_at=w),
        ][day % 3]
        expected.append(maker(when))

    seen = []
    for number in (1, 2, 3):
        response = client.get("/", {"page": number} if number > 1 else {})
        assert response.status_code == 200
        seen.extend(obj for _, obj in response.context["page"].items)
        assert response.context["page"].has_next() is (number < 3)
    assert seen == expected
    assert "Older posts" in client.get("/").content.decode()
    page2 = client.get("/", {"page": 2}).content.decode()
    assert "Older posts" in page2
    assert "Newer posts" in page2
    assert client.get("/", {"page": 4}).status_code == 404
    assert client.get("/", {"page": "x"}).status_code == 404


def test_featured_post_is_highlighted_and_audio_marked(client, site):
    PostFactory(title="Featured one", featured=True)
    response = client.get("/")
    assert 'class="card card-post featured"' in response.content.decode()


def test_post_page(client, hidden):
    category = hidden["category"]
    older = PostFactory(title="Older neighbour", published_at=ago(days=10))
    post = PostFactory(
        title="Connection pools & Lambda",
        body="Intro paragraph.\n\n```python\nimport os\n```\n" + "word " * 460,
        published_at=ago(days=5),
        categories=[category],
    )
    newer = PostFactory(title="Newer neighbour", published_at=ago(days=1))

    response = client.get(post.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Connection pools &amp; Lambda</h1>" in html
    assert "2 min read" in html
    assert 'href="/category/serverless/"' in html
    assert '<span class="kn">import</span>' in html  # highlighted code
    assert response.context["previous_post"] == older
    assert response.context["next_post"] == newer
    assert "<audio" not in html
    assert_hidden(response, hidden)


def test_adjacent_links_skip_unpublished_posts(client, hidden):
    a = PostFactory(published_at=ago(days=20))
    b = PostFactory(published_at=ago(days=10))
    response = client.get(a.get_absolute_url())
    assert response.context["next_post"] == b
    response = client.get(b.get_absolute_url())
    assert response.context["next_post"] is None
    assert response.context["previous_post"] == a


def test_unpublished_pages_are_404_for_readers(client, hidden):
    for obj in hidden["objects"]:
        assert client.get(obj.get_absolute_url()).status_code == 404, obj


def test_category_page_lists_its_published_posts_newest_first(client, hidden):
    category = hidden["category"]
    other = CategoryFactory(slug="databases")
    first = PostFactory(title="First in category", published_at=ago(days=9), categories=[category])
    second = PostFactory(title="Second in category", published_at=ago(days=2),
                         categories=[category, other])  # fmt: skip
    PostFactory(title="Only in databases", categories=[other])

    response = client.get(category.get_absolute_url())

    assert list(response.context["posts"]) == [second, first]
    assert "Only in databases" not in response.content.decode()
    assert_hidden(response, hidden)
    assert client.get("/category/nope/").status_code == 404


def test_archive_by_year_and_month(client, hidden):
    now = timezone.now()
    this_year = PostFactory(title="This year", published_at=now - datetime.timedelta(hours=1))
    last_year = PostFactory(title="Last year", published_at=now.replace(year=now.year - 1, day=1))

    response = client.get(reverse("blog:archive"))
    assert list(response.context["posts"]) == [this_year, last_year]
    html = response.content.decode()
    assert f'href="/archive/{now.year - 1}/"' in html
    assert_hidden(response, hidden)

    response = client.get(reverse("blog:archive_year", args=[now.year - 1]))
    assert list(response.context["posts"]) == [last_year]

    month = last_year.published_at
    response = client.get(reverse("blog:archive_month", args=[month.year, month.month]))
    assert list(response.context["posts"]) == [last_year]
    assert client.get(reverse("blog:archive_year", args=[1999])).status_code == 404


def test_newsletter_page_and_issue_page(client, hidden):
    one = IssueFactory(number=1, subtitle="The first", published_at=ago(days=14))
    two = IssueFactory(number=2, subtitle="The second", published_at=ago(days=7))

    response = client.get(reverse("newsletter:index"))
    html = response.content.decode()
    assert list(response.context["issues"]) == [two, one]
    assert response.context["latest_issue"] == two
    assert "Practical serverless tips every Monday" in html
    assert "The first" in html
    assert 'action="/newsletter/subscribe/"' in html
    assert_hidden(response, hidden)

    response = client.get(one.get_absolute_url())
    assert response.context["next_issue"] == two
    assert response.context["previous_issue"] is None
    assert "Warm Start: Issue #1" in response.content.decode()


def test_404_page_uses_site_design(client, site):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
    assert "css/site.css" in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(client, site):
    PostFactory()
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.content.decode()
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
