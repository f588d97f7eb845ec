"""The Markdown editor in the admin, in Chromium: uploads, alt text, autosave, leaving the
page, revisions, the alt-text warning, word count and layout."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from blog.models import Post
from core.models import Status
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>1</script></svg>'

DROP_FILE = """async ([selector, name, type, base64]) => {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, {type}));
    const target = document.querySelector(selector);
    for (const kind of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(kind, {dataTransfer: data, bubbles: true,
                                                   cancelable: true}));
    }
}"""

# What the upload view answers for a file, asked from the page itself (same session).
SERVER_ANSWER = """async ([name, type, text]) => {
    const data = new FormData();
    data.append('image', new File([text], name, {type}));
    data.append('csrfmiddlewaretoken',
                document.querySelector('input[name=csrfmiddlewaretoken]').value);
    const response = await fetch('/markdownx/upload/', {method: 'POST', body: data,
        headers: {'X-Requested-With': 'XMLHttpRequest'}});
    return [response.status, await response.json()];
}"""


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#0b5cad").save(buffer, "PNG")
    return buffer.getvalue()


def drop(page, name, type_, content: bytes):
    import base64

    page.evaluate(DROP_FILE, ["#id_body", name, type_, base64.b64encode(content).decode()])


@pytest.fixture
def writer(page, base):
    get_user_model().objects.create_superuser("writer", "writer@example.com", "a-long-password")
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "writer")
    page.fill("#id_password", "a-long-password")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("writer")
    return page


def change_page(page, base, obj):
    page.goto(base + f"/admin/blog/post/{obj.pk}/change/")
    # markdownx renders the preview once the editor is set up.
    expect(page.locator(".field-body .editor-counts")).to_contain_text(re.compile(r"\d word"))


def body_editor(page):
    return page.locator(".field-body")


def test_a_refused_upload_inserts_nothing_and_shows_the_servers_reason(writer, base, tmp_path):
    page = writer
    post = PostFactory(status=Status.DRAFT, body="Some text.")
    change_page(page, base, post)
    status, errors = page.evaluate(SERVER_ANSWER, ["drawing.svg", "image/svg+xml", SVG])
    assert status == 400
    reasons = [message for messages in errors.values() for message in messages]
    assert reasons
    body = page.locator("#id_body")
    alert = body_editor(page).get_by_role("alert")

    drop(page, "drawing.svg", "image/svg+xml", SVG.encode())
    expect(alert).to_contain_text("“drawing.svg” was not uploaded")
    for reason in reasons:
        expect(alert).to_contain_text(reason)
    expect(body).to_have_value("Some text.")
    expect(body_editor(page).locator(".markdownx-preview img")).to_have_count(0)

    # The same through the upload button.
    svg = tmp_path / "logo.svg"
    svg.write_text(SVG)
    with page.expect_file_chooser() as chooser:
        body_editor(page).get_by_role("button", name="Upload image…").click()
    chooser.value.set_files(str(svg))
    expect(alert).to_contain_text("“logo.svg” was not uploaded")
    expect(alert).to_contain_text(reasons[0])
    expect(body).to_have_value("Some text.")
    assert "Invalid response" not in body.input_value()


def test_an_upload_without_a_json_answer_gets_a_plain_message(writer, base):
    """A proxy in front of the site can answer with an HTML error page, or the connection
    can drop: neither carries the server's JSON. Playwright's routing stands in for them."""
    page = writer
    post = PostFactory(status=Status.DRAFT, body="Some text.")
    change_page(page, base, post)
    alert = body_editor(page).get_by_role("alert")

    page.route(
        "**/markdownx/upload/",
        lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>Bad</h1>"),
    )
    drop(page, "photo.png", "image/png", png_bytes())
    expect(alert).to_contain_text("“photo.png” was not uploaded")
    expect(alert).to_contain_text("HTTP 502")

    page.unroute("**/markdownx/upload/")
    page.route("**/markdownx/upload/", lambda route: route.abort("connectionreset"))
    drop(page, "photo.png", "image/png", png_bytes())
    expect(alert).to_contain_text("did not reach the server")
    expect(page.locator("#id_body")).to_have_value("Some text.")


def test_each_uploaded_image_gets_the_alt_text_the_author_gives(writer, base, tmp_path):
    page = writer
    page.goto(base + "/admin/blog/post/add/")
    body = page.locator("#id_body")
    body.fill("Intro.\n\n")
    picture = tmp_path / "cold-start_chart.png"
    picture.write_bytes(png_bytes())

    with page.expect_file_chooser() as chooser:
        body_editor(page).get_by_role("button", name="Upload image…").click()
    chooser.value.set_files(str(picture))
    dialog = page.get_by_role("dialog", name="Describe this image")
    alt = dialog.get_by_label("Alt text")
    expect(alt).to_have_value("cold start chart")  # from the file name
    expect(alt).to_be_focused()
    alt.fill("Cold starts by memory size")
    alt.press("Enter")

    expect(body).to_have_value(
        re.compile(r"^Intro\.\n\n!\[Cold starts by memory size\]\(/media/uploads/[^)]+\.png\)$")
    )
    image = body_editor(page).locator(".markdownx-preview img")
    expect(image).to_have_attribute("alt", "Cold starts by memory size")
    expect(dialog).to_be_hidden()

    # "Don't insert" leaves the text as it was.
    text = body.input_value()
    drop(page, "other.png", "image/png", png_bytes())
    dialog.get_by_role("button", name="Don't insert").click()
    expect(dialog).to_be_hidden()
    expect(body).to_have_value(text)


def test_a_drafts_body_is_saved_while_the_author_types(writer, base):
    page = writer
    post = PostFactory(status=Status.DRAFT, body="Started on the train.")
    change_page(page, base, post)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))

    body = page.locator("#id_body")
    body.click()
    body.press("Control+End")
    body.press_sequentially(" Finished at home.")
    expect(body_editor(page).get_by_role("status")).to_contain_text(
        "Draft saved at", timeout=10_000
    )

    post.refresh_from_db()
    assert post.body == "Started on the train. Finished at home."
    assert post.status == Status.DRAFT
    assert "Finished at home." in post.body_html
    # Everything is saved: leaving asks nothing.
    page.get_by_role("link", name="Home").first.click()
    expect(page).to_have_url(base + "/admin/")
    assert dialogs == []


def test_autosave_never_overwrites_a_save_made_elsewhere(writer, base):
    page = writer
    post = PostFactory(status=Status.DRAFT, body="First words.")
    change_page(page, base, post)
    post.body = "Saved from another tab."
    post.save()

    body = page.locator("#id_body")
    body.click()
    body.press("Control+End")
    body.press_sequentially(" Older tab.")
    status = body_editor(page).get_by_role("status")
    expect(status).to_contain_text("Not saved: this item was saved elsewhere", timeout=10_000)
    expect(status).to_contain_text("A copy is kept in this browser.")
    post.refresh_from_db()
    assert post.body == "Saved from another tab."


def test_a_published_posts_edits_wait_for_save(writer, base):
    page = writer
    post = PostFactory(status=Status.PUBLISHED, body="Live text.")
    change_page(page, base, post)
    page.on("dialog", lambda dialog: dialog.accept())
    body = page.locator("#id_body")
    body.click()
    body.press("Control+End")
    body.press_sequentially(" Not ready yet.")
    page.wait_for_function(
        "() => (localStorage.getItem('editor:' + location.pathname + ':body') || '')"
        ".includes('Not ready yet.')"
    )
    page.get_by_role("link", name="Home").first.click()
    expect(page).to_have_url(base + "/admin/")
    post.refresh_from_db()
    assert post.body == "Live text."
    # The text typed is offered back when the page is opened again.
    change_page(page, base, post)
    notice = body_editor(page).get_by_text("This browser kept unsaved text")
    expect(notice).to_be_visible()
    body_editor(page).get_by_role("button", name="Restore it").click()
    expect(body).to_have_value("Live text. Not ready yet.")


def test_leaving_a_page_with_unsaved_changes_asks_first(writer, base):
    page = writer
    page.goto(base + "/admin/blog/post/add/")
    page.locator("#id_title").press_sequentially("Half a thought")
    page.locator("#id_body").press_sequentially("Something worth keeping.")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Home").first.click()
    expect(page.locator("#id_body")).to_have_value("Something worth keeping.")
    assert asked == ["beforeunload"]
    assert page.url == base + "/admin/blog/post/add/"

    # Saving is not leaving: no question, and the post is there.
    page.on("dialog", lambda dialog: asked.append(dialog.type))
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert asked == ["beforeunload"]
    assert Post.objects.get().body == "Something worth keeping."


def test_revisions_are_kept_compared_and_restored(writer, base):
    page = writer
    post = PostFactory(status=Status.PUBLISHED, body="Version one.\n\nShared ending.")
    change_page(page, base, post)
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.locator("#id_body").fill("Version two.\n\nShared ending.")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.get_by_role("link", name="History").click()
    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("link", name="with the one before").click()
    expect(page.locator("del.diff-removed")).to_contain_text("Version one.")
    expect(page.locator("ins.diff-added")).to_contain_text("Version two.")
    expect(page.locator(".diff")).to_contain_text("Shared ending.")

    page.get_by_role("link", name=re.compile("^Restore the version of")).click()
    expect(page.locator("#id_body")).to_have_value("Version one.\n\nShared ending.")
    post.refresh_from_db()
    assert post.body.startswith("Version two.")  # nothing changes before Save
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("successfully")
    post.refresh_from_db()
    assert post.body.replace("\r\n", "\n") == "Version one.\n\nShared ending."
    page.goto(base + f"/admin/blog/post/{post.pk}/history/")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Reverted")


def test_saving_a_post_with_an_undescribed_image_warns_but_saves(writer, base):
    page = writer
    post = PostFactory(status=Status.DRAFT, body="Text.")
    change_page(page, base, post)
    page.locator("#id_body").fill("Text.\n\n![](/media/uploads/2026/plot.png)")
    page.locator("input[name=_continue]").first.click()
    messages = page.locator(".messagelist")
    expect(messages.locator(".warning")).to_contain_text("1 image has no alt text")
    expect(messages.locator(".warning")).to_contain_text("/media/uploads/2026/plot.png")
    expect(messages.locator(".success")).to_contain_text("was changed successfully")
    post.refresh_from_db()
    assert post.body.endswith("plot.png)")


def test_the_editor_at_1280_px(writer, base):
    page = writer
    title = "Tracing a cold start step by step: memory, package size and the first request"
    post = PostFactory(status=Status.DRAFT, title=title, body="word " * 480)
    change_page(page, base, post)

    counts = body_editor(page).locator(".editor-counts")
    expect(counts).to_have_text(f"{post.word_count} words · {post.reading_minutes} min read")
    assert (post.word_count, post.reading_minutes) == (480, 2)

    editor = body_editor(page).locator("textarea").bounding_box()
    preview = body_editor(page).locator(".markdownx-preview").bounding_box()
    assert editor["width"] >= preview["width"]
    assert preview["x"] + preview["width"] <= 1280

    title_box = page.locator("#id_title")
    assert title_box.evaluate("input => input.scrollWidth <= input.clientWidth")

    save_buttons = page.locator("input[name=_save]")
    expect(save_buttons).to_have_count(2)
    assert save_buttons.first.bounding_box()["y"] < title_box.bounding_box()["y"]

    body_editor(page).locator("textarea").press("Control+End")
    body_editor(page).locator("textarea").press_sequentially(" more words here")
    expect(counts).to_have_text("483 words · 2 min read")
