"""What subscribers receive: the rendering of issue and confirmation emails."""

import email
import email.policy

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.models import SiteSettings
from newsletter import emails, sending
from newsletter.models import Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

TRICKY_BODY = (
    "Grüße aus Köln ✨ — a paragraph with = signs, trailing spaces   \r\n"
    "and a CRLF.\n\n"
    ".a line starting with a dot\n\n"
    "From the start of a line\n\n"
    + "A very long line " * 40
    + "\n\n\ttabbed\n\n```python\nprint('x')\n```\n"
)


HEADERS = ["Subject", "From", "To", "Reply-To", "List-Id", "List-Archive", "List-Unsubscribe",
           "List-Unsubscribe-Post", "Message-ID", "MIME-Version"]  # fmt: skip


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def test_the_fast_wire_format_matches_what_django_builds(site):
    SiteSettings.objects.filter(pk=1).update(
        author_name="Zoë Ñandú", email="zoe@example.com", newsletter_name="Warme Grüße"
    )
    issue = IssueFactory(number=9, title="Über Kälte: Issue #9 ✨", body=TRICKY_BODY)
    subscriber = SubscriberFactory(email="reader@example.com")
    rendered = emails.render_issue(issue)

    fast = parse(rendered.wire_bytes(subscriber, 77))
    slow = parse(rendered.for_subscriber(subscriber, 77).message().as_bytes())

    for name in HEADERS:
        assert str(fast[name]) == str(slow[name]), name
    assert fast["Subject"] == "Über Kälte: Issue #9 ✨"
    assert fast["From"] == "Zoë Ñandú <blog@localhost>"
    assert fast.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        fast_body = fast.get_body((kind,)).get_content().replace("\r\n", "\n").rstrip("\n")
        slow_body = slow.get_body((kind,)).get_content().replace("\r\n", "\n").rstrip("\n")
        assert fast_body == slow_body, kind
    assert "Grüße aus Köln ✨" in fast.get_body(("plain",)).get_content()
    raw = rendered.wire_bytes(subscriber, 77)
    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert all(len(line) <= 76 for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))


# Text around the unsubscribe link: long runs, spaces and tabs before line ends, `=`,
# dots and non-ASCII, where quoted-printable's line breaks and escapes fall.
AROUND_LINK = st.lists(
    st.sampled_from(["a", "é", "✨", " ", "\t", "=", ".", "\n", "x" * 37, "y" * 75]), max_size=40
).map("".join)


@hypothesis_settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(AROUND_LINK, min_size=1, max_size=4),
    html_pieces=st.lists(AROUND_LINK, min_size=1, max_size=3),
)
def test_each_recipients_link_goes_into_parts_encoded_once(site, pieces, html_pieces):
    """The parts are encoded once around the token and joined with each recipient's: they
    decode to the part with that recipient's token, in lines of at most 76 characters."""
    rendered = emails.RenderedIssue(
        message_id_prefix="issue-3",
        topic_id=7,
        subject="Weekly",
        text=emails.TOKEN_PLACEHOLDER.join(pieces),
        html=emails.TOKEN_PLACEHOLDER.join(html_pieces),
        from_email="blog@example.com",
        reply_to=(),
        list_id="Weekly <newsletter.example.com>",
        archive_url="http://example.com/newsletter/",
    )
    for reader in (
        Subscriber(pk=1, email="ada@example.com"),
        Subscriber(pk=2, email="b@example.org"),
    ):
        raw = rendered.wire_bytes(reader, 40 + reader.pk)
        link = rendered.for_subscriber(reader, 40 + reader.pk).extra_headers["List-Unsubscribe"]
        link = link.split(">")[0].lstrip("<").removesuffix("/").rpartition("/")[2]
        assert link.startswith(f"{reader.pk}.")
        assert ".7:" in link
        message = parse(raw)
        for kind, pieces_of_part in (("plain", pieces), ("html", html_pieces)):
            expected = link.join(pieces_of_part).replace("\r\n", "\n")
            got = message.get_body((kind,)).get_payload(decode=True).decode().replace("\r\n", "\n")
            assert got == expected
        assert all(len(line) <= 76 for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))


def test_an_address_with_unicode_goes_out_through_the_general_path(site, smtp, run_worker):
    SubscriberFactory(email="leser@bücher.example")
    issue = IssueFactory()
    rendered = emails.render_issue(issue)
    assert rendered.wire_bytes(Subscriber.objects.get(), 1) is None
    sending.start_sending(issue)
    run_worker()
    [message] = smtp.to("leser@xn--bcher-kva.example")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_html_part_is_styled_inline_with_absolute_links(site):
    issue = IssueFactory(
        number=5,
        body="## Part\n\nSee [this](/posts/a/) and [that](#part).\n\n- [x] done\n\n"
        "| a |\n|:-:|\n| 1 |\n\n![alt](/media/x.png)\n\n<script>alert(1)</script>\n",
    )
    html = emails.render_issue(issue).html
    assert '<h2 id="part" style="font-size:22px' in html
    assert 'href="http://127.0.0.1:8000/posts/a/"' in html
    assert 'href="http://127.0.0.1:8000/newsletter/issues/5/#part"' in html
    assert 'src="http://127.0.0.1:8000/media/x.png"' in html
    assert "☑ done" in html
    assert "text-align:center" in html
    assert "<script" not in html
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    assert "View in browser" in html


def test_a_test_send_has_no_unsubscribe_headers(site):
    message = emails.test_message(IssueFactory(number=2), "me@example.com")
    assert message.subject == "[Test] Warm Start: Issue #2"
    assert "List-Unsubscribe" not in message.extra_headers
    assert "This is a test send" in message.body


def test_confirmation_email(site):
    subscriber = SubscriberFactory(email="new@example.com", status=Subscriber.Status.PENDING)
    message = emails.confirmation_message(subscriber)
    assert message.subject == "Confirm your subscription to Warm Start"
    assert message.to == ["new@example.com"]
    assert "http://127.0.0.1:8000/newsletter/confirm/" in message.body
    assert "7 days" in message.body
    html = message.alternatives[0].content
    assert "Confirm subscription</a>" in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    # Someone who never asked can say no in one click.
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/newsletter/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/newsletter/unsubscribe/" in message.body
    assert "/newsletter/unsubscribe/" in html
