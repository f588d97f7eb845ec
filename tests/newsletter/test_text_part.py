"""The plain-text part of an issue email, as a subscriber's mail client receives it."""

import pytest

from newsletter import sending
from tests.factories import IssueFactory, SubscriberFactory
from tests.plaintext_checks import assert_no_markdown

pytestmark = pytest.mark.django_db

BODY = """Hello again.

## This week

Read [the new post](/posts/cold-starts/) about cold starts.

![Diagram of the connection pool](/media/uploads/pool.png)

- **Tip:** keep functions warm
- See [the docs](https://docs.example.org/pools)

```
SELECT 1;
```
"""


def test_text_part_has_no_markdown_and_only_absolute_links(site, smtp, run_worker):
    SubscriberFactory(email="reader@example.com")
    issue = IssueFactory(number=4, subtitle="Pools", body=BODY)
    sending.start_sending(issue)
    run_worker()
    [message] = smtp.to("reader@example.com")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    body = text.split("-" * 60)[1]  # between the header and the footer rules
    assert "Read the new post (http://127.0.0.1:8000/posts/cold-starts/) about cold starts." in body
    assert "Diagram of the connection pool" in body
    assert "This week\n─────────" in body
    assert "• Tip: keep functions warm" in body
    assert "• See the docs (https://docs.example.org/pools)" in body
    assert "    SELECT 1;" in body
    assert_no_markdown(body)
    # Every address in the whole part is absolute.
    for word in text.split():
        assert not word.strip("()").startswith("/"), word
    assert "View in your browser: http://127.0.0.1:8000/newsletter/issues/4/" in text
    assert "Unsubscribe from this: http://127.0.0.1:8000/newsletter/unsubscribe/" in text
    assert "Choose what you receive: http://127.0.0.1:8000/newsletter/preferences/" in text
