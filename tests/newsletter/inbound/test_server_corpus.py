"""Bounces as real mail servers wrote them: 117 messages from Postfix, Exim, qmail,
Sendmail, Exchange, GroupWise, Yahoo, AOL, Netscape, SMTP32 and many more, collected by
the Mailman project for flufl.bounce (Apache License 2.0, mail/servers/LICENSE). Each is
read as a hard or soft bounce of the right recipients; the few that are not bounces (an
auto-reply, a moderation notice, messages that name no address) are read as nothing."""

import io
import json
import logging
from pathlib import Path

import pytest
from django.core.management import call_command

from newsletter.inbound import messages

SERVERS = Path(__file__).parent / "mail" / "servers"
EXPECTED = json.loads((SERVERS / "expected.json").read_text())


def test_the_table_names_every_message():
    assert sorted(path.name for path in SERVERS.glob("*.txt")) == sorted(EXPECTED)
    assert len(EXPECTED) == 117


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_server_bounce_is_read_with_its_failed_recipients(name):
    expected = EXPECTED[name]
    reading = messages.read((SERVERS / name).read_bytes())
    if expected["kind"] == "unknown":
        assert reading.findings == []
        return
    assert {f.kind for f in reading.findings} == {expected["kind"]}
    assert sorted(f.recipient for f in reading.findings) == expected["recipients"]


@pytest.mark.django_db
def test_process_bounce_prints_only_json_for_the_whole_corpus(caplog):
    """The standard output is one JSON object per file and nothing else: the loggers on
    the way (flufl.bounce logs each detector it runs) stay below the console's level."""
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    names = [str(path) for path in sorted(SERVERS.glob("*.txt"))]
    call_command("process_bounce", "--dry-run", *names, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["file"] for line in lines] == names
    bounces = [line for line in lines if line["kind"] in ("hard", "soft")]
    assert len(bounces) == 111
    assert not [r for r in caplog.records if r.name.startswith("flufl")]
