"""The author's journey in the admin: write, upload, schedule, publish, announce."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Post
from newsletter.models import Issue
from projects.models import Release
from tests.audio_samples import MP3

pytestmark = pytest.mark.django_db(transaction=True)

DROP_IMAGE = """async (selector) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 48;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#0b5cad'; ctx.fillRect(0, 0, 64, 48);
    const blob = await new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
    const file = new File([blob], 'diagram.png', {type: 'image/png'});
    const data = new DataTransfer();
    data.items.add(file);
    const target = document.querySelector(selector);
    for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true,
                                                   cancelable: true}));
    }
}"""


@pytest.fixture
def author_page(page, base, demo):
    get_user_model().objects.create_superuser("writer", "writer@example.com", "a-long-password")
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "writer")
    page.fill("#id_password", "a-long-password")
    page.click("input[type=submit]")
    expect(page.get_by_role("heading", name="Write and publish")).to_be_visible()
    return page


def set_date(page, field, when):
    local = timezone.localtime(when)
    page.fill(f"#id_{field}_0", local.strftime("%Y-%m-%d"))
    page.fill(f"#id_{field}_1", local.strftime("%H:%M:%S"))


def test_author_writes_schedules_and_publishes_a_post(author_page, base):
    page = author_page
    page.goto(base + "/admin/blog/post/add/")
    page.locator("#id_title").press_sequentially("Tracing a cold start, step by step")
    expect(page.locator("#id_slug")).to_have_value("tracing-a-cold-start-step-by-step")

    body = page.locator("#id_body")
    body.fill("Measure first.\n\n```python\nimport time\nstart = time.perf_counter()\n```\n\n")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("span.kn", has_text="import")).to_be_visible()

    # Drag an image into the editor: it is uploaded, its alt text asked for (starting from
    # the file name), and its Markdown inserted.
    page.evaluate(DROP_IMAGE, "#id_body")
    alt = page.get_by_role("dialog").get_by_label("Alt text")
    expect(alt).to_have_value("diagram", timeout=10_000)
    alt.fill("A blue rectangle")
    page.get_by_role("button", name="Insert image").click()
    expect(body).to_have_value(re.compile(r"!\[A blue rectangle\]\(/media/uploads/[^)]+\.png\)"))
    body.press("End")
    body.type(" ")  # a keystroke refreshes the preview
    expect(preview.locator("img")).to_be_visible()
    assert preview.locator("img").evaluate("img => img.naturalWidth") == 64

    page.set_input_files("#id_audio", str(MP3))
    page.select_option("#id_status", "published")
    set_date(page, "published_at", timezone.now() + datetime.timedelta(days=2))
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    post = Post.objects.get(slug="tracing-a-cold-start-step-by-step")
    assert post.is_scheduled
    assert post.audio_mime_type == "audio/mpeg"
    page.goto(base + "/")
    expect(page.get_by_role("link", name=post.title)).to_have_count(0)

    # Preview the scheduled post from its change page.
    page.goto(base + f"/admin/blog/post/{post.pk}/change/")
    with page.context.expect_page() as preview_tab:
        page.get_by_role("link", name="Preview", exact=True).click()
    preview = preview_tab.value
    expect(preview.locator(".preview-banner, [role=status]").first).to_contain_text("Preview")
    expect(preview.get_by_role("heading", level=1)).to_have_text(post.title)
    expect(preview.locator('meta[name="robots"]')).to_have_attribute(
        "content", re.compile("noindex")
    )
    preview.close()

    # Publish it now from the list's action.
    page.goto(base + "/admin/blog/post/?q=Tracing")
    page.locator(f"input[name=_selected_action][value='{post.pk}']").check()
    page.select_option("select[name=action]", "publish_now")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Published 1")

    page.goto(base + "/")
    page.get_by_role("link", name=post.title).first.click()
    expect(page.locator(".prose img")).to_be_visible()
    expect(page.locator("audio")).to_be_visible()


def test_author_creates_a_release_and_sees_its_card(author_page, base):
    page = author_page
    page.goto(base + "/admin/projects/release/add/")
    # The project field is an autocomplete: open it, type, pick.
    page.locator(".field-project .select2-selection").click()
    page.keyboard.type("Lambda")
    page.locator(".select2-results__option", has_text="Lambda Router").click()
    page.fill("#id_version", "0.11.0")
    page.fill("#id_summary", "Middleware can now be async from top to bottom.")
    page.select_option("#id_status", "published")
    set_date(page, "published_at", timezone.now() - datetime.timedelta(minutes=1))
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Release.objects.get(version="0.11.0").title == "Lambda Router v0.11.0 released"

    page.goto(base + "/")
    card = page.locator(".card-release").first
    expect(card).to_contain_text("Project update")
    expect(card).to_contain_text("Lambda Router v0.11.0 released")
    expect(card).to_contain_text("Middleware can now be async")


def test_author_sends_a_test_of_an_issue_to_themselves(author_page, base, smtp, settings):
    settings.SITE_URL = base
    page = author_page
    issue = Issue.objects.order_by("-number").first()
    page.goto(base + f"/admin/newsletter/issue/{issue.pk}/change/")
    page.get_by_role("link", name="Send by email…").click()
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".messagelist")).to_contain_text("writer@example.com")
    (message,) = smtp.to("writer@example.com")
    assert issue.title in message["Subject"]
    assert message.get_body(preferencelist=("html",)) is not None
    assert message.get_body(preferencelist=("plain",)) is not None
