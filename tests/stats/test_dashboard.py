"""The statistics dashboard in the admin and `manage.py stats_export`: charts for 7, 30
and 365 days with their tables and CSV downloads, staff only; the export's JSON lines."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from stats.models import DailyDownload, DailyFeed, DailyPath, DailyReferrer
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(site):
    today = timezone.localdate()
    for n in range(10):
        day = today - datetime.timedelta(days=n)
        DailyPath.objects.create(day=day, path="", views=100 + n, visitors=40 + n)
        DailyPath.objects.create(day=day, path="/posts/cold-starts/", views=60 + n, visitors=30)
    DailyReferrer.objects.create(day=today, source="Search: Google", views=12)
    DailyFeed.objects.create(day=today, feed="/feed/", aggregator="Feedly", subscribers=1234)
    DailyFeed.objects.create(day=today, feed="/feed/", aggregator="", fetchers=17)
    DailyDownload.objects.create(day=today, path="/media/audio/episode.mp3", downloads=9)
    SubscriberFactory(confirmed_at=timezone.now())
    return today


def test_the_dashboard_charts_each_figure_with_tables(admin_client, counted):
    url = reverse("stats:dashboard")
    for days in (7, 30, 365):
        page = admin_client.get(url, {"days": days})
        assert page.status_code == 200
        html = page.content.decode()
        assert html.count('<svg class="chart') == 7  # and the crawlers', empty here
        assert "Nothing counted yet." in html
        assert f'href="?days={days}" aria-current="page"' in html
    html = admin_client.get(url, {"days": 7}).content.decode()
    assert "/posts/cold-starts/" in html
    assert "Search: Google" in html
    assert "Feedly (/feed/)" in html
    assert "1,234" in html
    assert "Show as a table" in html
    assert "<script" not in html.split('id="content-main"')[1]
    assert admin_client.get(url, {"days": "nonsense"}).status_code == 200  # 30 days


def test_each_chart_downloads_as_csv(admin_client, counted):
    url = reverse("stats:dashboard")
    response = admin_client.get(url, {"days": 7, "csv": "traffic"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "day,views,visitors"
    assert len(lines) == 8
    assert lines[-1] == f"{counted},100,40"
    assert admin_client.get(url, {"csv": "nope"}).status_code == 404


def test_the_dashboard_is_for_staff(client, counted):
    assert client.get(reverse("stats:dashboard")).status_code == 302
    assert client.get(reverse("admin:stats_dailypath_changelist")).status_code == 302


def test_the_admin_menu_leads_to_the_dashboard(admin_client, counted):
    response = admin_client.get(reverse("admin:stats_dailypath_changelist"))
    assert response["Location"] == reverse("stats:dashboard")


def test_stats_export_prints_json_lines_and_csv(counted):
    out = io.StringIO()
    call_command("stats_export", "--since", str(counted), stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {
        "date": str(counted),
        "path": "/posts/cold-starts/",
        "views": 60,
        "visitors": 30,
    }
    kinds = {line.get("kind") for line in lines}
    assert {"downloads", "feed_subscribers", "list"} <= kinds
    out = io.StringIO()
    call_command("stats_export", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[0] == "kind,date,path,views,visitors"
    assert len([line for line in out.getvalue().splitlines() if line.startswith("path,")]) == 10
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("stats_export", "--since", "yesterday")
