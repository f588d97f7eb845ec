"""Every URL pattern of the project, walked with hostile values: nothing answers 5xx.

The patterns come from the resolver (admin and third-party apps included), so a new URL is
walked without touching this file. Each path parameter gets, in turn, each hostile value
while the others keep a value that reaches the view (a real slug, id or number); common
query parameters get the same values; hypothesis then mixes them (and text of its own) on
random patterns, from a fixed seed. Both as an anonymous reader and as staff.
"""

import itertools
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    SubscriberFactory,
    ago,
)

pytestmark = pytest.mark.django_db

# As they appear in a URL (percent-encoded where a browser would encode them).
HOSTILE = [
    "9223372036854775807",  # the largest bigint
    "9223372036854775808",
    "99999999999999999999",
    "-1",
    "0",
    "%00",  # NUL
    "a%00b",
    "x" * 3000,
    "'",
    '"',
    "%22%27%3E%3C",  # "'><
    "%",
    "%zz",
    "%25",
    "%ff%fe",  # not UTF-8
    "..",
    "%2e%2e%2f%2e%2e",
    "1e999",
    "%E2%80%A8",  # U+2028
]
# The same kinds for query parameters, fewer of each (every pattern gets them all at once).
QUERY_HOSTILE = ["9223372036854775808", "99999999999999999999", "-1", "%00", "x" * 3000,
                 "%22%27%3E%3C", "%", "%ff%fe", "..", "%E2%80%A8"]  # fmt: skip
QUERY_PARAMETERS = ["page", "q", "kind", "category", "p", "o", "e", "all", "next", "_to_field"]


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full text, its parts (to build URLs) and its parameters."""

    text: str
    parts: tuple
    pattern: URLPattern

    @property
    def parameters(self) -> list[str]:
        found = []
        self.url(_Recorder(found))
        return found

    def url(self, values) -> str:
        groups = iter(range(100))
        return "/" + "".join(_build(part, values, groups) for part in self.parts)


class _Recorder(dict):
    """Values that note which parameters were asked for."""

    def __init__(self, found):
        super().__init__()
        self.found = found

    def __missing__(self, name):
        self.found.append(name)
        return ""


def _build(part: str, values, groups) -> str:
    kind, text = part[:2], part[2:]
    if kind == "R:":
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], text)
    # A regex: each group (named, or positional as _0, _1, …) becomes its value; anchors
    # and escapes go.
    out, i = "", 0
    while i < len(text):
        if text[i] == "(" and not text.startswith("(?:", i):
            if text.startswith("(?P<", i):
                name = text[i + 4 : text.index(">", i)]
            else:
                name = f"_{next(groups)}"
            depth, j = 0, i
            while True:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            out, i = out + values[name], j + 1
        elif text[i] in "^$":
            i += 1
        elif text[i] == "\\":
            out, i = out + text[i + 1], i + 2
        else:
            out, i = out + text[i], i + 1
    return out


def _regex_sample(part: str, name: str) -> str | None:
    """For a group of literal alternatives, (?P<app_label>auth|blog), the first of them."""
    match = re.search(rf"\(\?P<{name}>([\w|]+)\)", part)
    return match.group(1).split("|")[0] if match else None


def walk(patterns=None, parts=()):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        kind = "R:" if isinstance(entry.pattern, RoutePattern) else "X:"
        assert isinstance(entry.pattern, RoutePattern | RegexPattern)
        here = (*parts, kind + str(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, here)
        else:
            yield Route(" ".join(p[2:] for p in here), here, entry)


ROUTES = list(walk())


@pytest.fixture
def content(site):
    category = CategoryFactory(slug="serverless")
    series = SeriesFactory(slug="prod")
    project = ProjectFactory(slug="router")
    post = PostFactory(slug="hello", categories=[category], series=series, published_at=ago(days=2))
    release = ReleaseFactory(project=project, version="1.0.0", published_at=ago(days=2))
    issue = IssueFactory(number=1, published_at=ago(days=2))
    SubscriberFactory()
    staff = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    return {
        "slug": ["hello", "serverless", "prod", "router"],
        "version": ["1.0.0"],
        "number": [str(issue.number)],
        "year": [str(post.published_at.year)],
        "month": [str(post.published_at.month)],
        "pk": [str(post.pk), str(release.pk), str(issue.pk)],
        "kind": ["post", "release", "issue"],
        "user": staff,
    }


def clients(content) -> dict[str, Client]:
    staff = Client(raise_request_exception=True)
    staff.force_login(content["user"])
    return {"anonymous": Client(raise_request_exception=True), "staff": staff}


def real_values(route: Route, content, client: Client) -> dict:
    """Values for the route's parameters that reach its view: the first combination of
    candidates that resolves to the pattern and is not a 404 (or just the first)."""
    model_admin = getattr(route.pattern.callback, "model_admin", None)
    candidates = {}
    for name in route.parameters:
        sample = next(filter(None, (_regex_sample(p, name) for p in route.parts)), None)
        if name == "object_id" and model_admin:
            first = model_admin.model._default_manager.order_by("pk").first()
            candidates[name] = [str(first.pk) if first else "1"]
        else:
            candidates[name] = [sample] if sample else content.get(name, ["1"])
    combinations = [
        dict(zip(candidates, values, strict=True))
        for values in itertools.product(*candidates.values())
    ]
    for values in combinations:
        url = route.url(values)
        if _resolves_to(url, route) and len(combinations) > 1 and get(client, url) != 404:
            return values
    return combinations[0]


def _resolves_to(url: str, route: Route) -> bool:
    """Whether `url` reaches the route's view (or an earlier pattern of the same text that
    shadows it, as django-solo's singleton page does the changelist)."""
    try:
        match = resolve(url)
    except Resolver404:
        return False
    same_text = _bare(match.route) == _bare("".join(p[2:] for p in route.parts))
    return match.func is route.pattern.callback or same_text


def _bare(route: str) -> str:
    return route.replace("^", "").replace("$", "")


def get(client: Client, url: str) -> int:
    """GET `url`; a server error (raised by the test client, or answered) is an assertion
    naming the URL. Each request in a savepoint: a database error must not poison the
    rest of the test's transaction."""
    try:
        with transaction.atomic():
            status = client.get(url).status_code
    except Exception as error:
        raise AssertionError(f"GET {url[:300]} raised {error!r}") from error
    assert status < 500, f"GET {url[:300]} answered {status}"
    return status


def test_the_walk_reaches_every_pattern(content):
    client = clients(content)["staff"]
    unreachable = [
        route.text
        for route in ROUTES
        if not _resolves_to(route.url(real_values(route, content, client)), route)
    ]
    assert unreachable == []
    assert len(ROUTES) > 100  # the admin's patterns are walked too


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_hostile_path_parameters_never_cause_a_server_error(content, who):
    client = clients(content)[who]
    for route in ROUTES:
        real = real_values(route, content, client)
        get(client, route.url(real))
        for name, value in itertools.product(route.parameters, HOSTILE):
            get(client, route.url({**real, name: value}))


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_hostile_query_parameters_never_cause_a_server_error(content, who):
    client = clients(content)[who]
    for route in ROUTES:
        url = route.url(real_values(route, content, client))
        for value in QUERY_HOSTILE:
            get(client, f"{url}?{'&'.join(f'{name}={value}' for name in QUERY_PARAMETERS)}")


def _admin_filters(route: Route) -> list[str]:
    model_admin = getattr(route.pattern.callback, "model_admin", None)
    if model_admin is None or not (route.pattern.name or "").endswith("_changelist"):
        return []
    names = []
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            names.append(f"{entry}__exact")
        elif isinstance(entry, tuple):
            names.append(f"{entry[0]}__exact")
        else:
            names.append(entry.parameter_name)
    return names


def test_hostile_admin_filters_never_cause_a_server_error(content):
    client = clients(content)["staff"]
    changelists = [route for route in ROUTES if _admin_filters(route)]
    assert changelists
    for route in changelists:
        url = route.url(real_values(route, content, client))
        for name, value in itertools.product(_admin_filters(route), HOSTILE):
            get(client, f"{url}?{name}={value}")


# Beyond the fixed list: text of any kind, percent-encoded, in random places.
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40).map(lambda text: quote(text, safe="")),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)


@hypothesis_settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    who=st.sampled_from(["anonymous", "staff"]),
    path_value=values,
    query=st.dictionaries(st.sampled_from(QUERY_PARAMETERS), values, max_size=3),
)
def test_generated_values_never_cause_a_server_error(content, route, who, path_value, query):
    client = clients(content)[who]
    real = real_values(route, content, client)
    values_ = {**real, **dict.fromkeys(route.parameters[:1], path_value)}
    query_string = "&".join(f"{name}={value}" for name, value in query.items())
    get(client, route.url(values_) + (f"?{query_string}" if query_string else ""))
