"""The projects' pages: the list of active projects, a project with its published releases,
a release page."""

import pytest
from django.urls import reverse

from tests.factories import ProjectFactory, ReleaseFactory, ago
from tests.hidden_content import assert_hidden

pytestmark = pytest.mark.django_db


def test_projects_list_and_project_page(client, hidden):
    project = hidden["project"]
    old = ReleaseFactory(project=project, version="0.9.0", published_at=ago(days=30))
    new = ReleaseFactory(project=project, version="0.10.0", published_at=ago(days=3))
    ProjectFactory(name="Retired thing", active=False)

    response = client.get(reverse("projects:list"))
    html = response.content.decode()
    assert "Lambda Router" in html
    assert "Retired thing" not in html
    assert 'href="/projects/lambda-api/releases/0.10.0/"' in html  # latest published only

    response = client.get(project.get_absolute_url())
    assert list(response.context["releases"]) == [new, old]
    assert_hidden(response, hidden)


def test_release_page(client, hidden):
    release = ReleaseFactory(project=hidden["project"], version="0.10.0", notes="### Fixed\n\n- x")
    response = client.get(release.get_absolute_url())
    html = response.content.decode()
    assert "Lambda Router v0.10.0 released" in html
    assert "<h3>Fixed</h3>" in html or '<h3 id="fixed">Fixed</h3>' in html
    assert client.get("/projects/lambda-api/releases/0.0.1/").status_code == 404
