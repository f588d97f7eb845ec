"""Media served with byte ranges: players seek, podcast apps resume (core.ranges)."""

import os
from pathlib import Path

import pytest
from django.utils.http import http_date

from core.ranges import ByteRange, RangeNotSatisfiable, if_range_matches, parse_range

SIZE = 10_000
BODY = bytes(range(256)) * 39 + bytes(range(16))  # 10,000 bytes, each position recognisable


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=1000-1999", ByteRange(1000, 1999)),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=9000-", ByteRange(9000, 9999)),
        ("bytes=-500", ByteRange(9500, 9999)),
        ("bytes=-20000", ByteRange(0, 9999)),  # more than the file: all of it
        ("bytes=9990-20000", ByteRange(9990, 9999)),  # an end past the file is cut
        ("BYTES=5-9", ByteRange(5, 9)),
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [None, "", "bytes=", "bytes=-", "bytes=500-100", "items=0-10", "bytes=a-b", "0-10",
     "bytes=0-10,20-30", "bytes=1" + "0" * 30 + "-"],
)  # fmt: skip
def test_ranges_to_ignore(header):
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=10000-", SIZE), ("bytes=20000-20010", SIZE), ("bytes=-0", SIZE), ("bytes=0-", 0),
     ("bytes=-5", 0)],
)  # fmt: skip
def test_unsatisfiable_ranges(header, size):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


def test_if_range_compares_strongly():
    modified = 1_700_000_000
    assert if_range_matches(None, '"abc"', modified)
    assert if_range_matches('"abc"', '"abc"', modified)
    assert not if_range_matches('"abd"', '"abc"', modified)
    assert not if_range_matches('W/"abc"', '"abc"', modified)
    assert if_range_matches(http_date(modified), '"abc"', modified)
    assert not if_range_matches(http_date(modified - 1), '"abc"', modified)
    assert not if_range_matches("not a date", '"abc"', modified)


# --- Through the site, as a player or a podcast app sees it --------------------------------


@pytest.fixture
def episode(settings) -> Path:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    path = media / "episode.mp3"
    path.write_bytes(BODY)
    return path


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_safety_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_whole_file_says_it_takes_ranges(client, episode):
    response = client.get("/media/episode.mp3")
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)
    assert response["ETag"].startswith('"')
    assert "Last-Modified" in response
    assert body(response) == BODY
    assert_safety_headers(response)


def test_a_range_gets_206_with_just_those_bytes(client, episode):
    response = client.get("/media/episode.mp3", HTTP_RANGE="bytes=1000-1999")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    assert response["Content-Length"] == "1000"
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == BODY[1000:2000]
    assert_safety_headers(response)
    assert response["Cache-Control"] == "public, max-age=86400"


def test_open_and_suffix_ranges(client, episode):
    tail = client.get("/media/episode.mp3", HTTP_RANGE="bytes=9900-")
    assert (tail.status_code, tail["Content-Range"]) == (206, f"bytes 9900-9999/{SIZE}")
    assert body(tail) == BODY[9900:]
    last = client.get("/media/episode.mp3", HTTP_RANGE="bytes=-10")
    assert (last.status_code, last["Content-Range"]) == (206, f"bytes 9990-9999/{SIZE}")
    assert body(last) == BODY[-10:]


def test_a_range_outside_the_file_gets_416(client, episode):
    response = client.get("/media/episode.mp3", HTTP_RANGE="bytes=10000-10999")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert_safety_headers(response)


@pytest.mark.parametrize("header", ["bytes=0-10,20-30", "bytes=50-10", "lines=1-2", "bytes=x"])
def test_several_or_malformed_ranges_get_the_whole_file(client, episode, header):
    response = client.get("/media/episode.mp3", HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == BODY


def test_if_range_resumes_only_the_same_file(client, episode):
    first = client.get("/media/episode.mp3")
    etag, modified = first["ETag"], first["Last-Modified"]
    for validator in (etag, modified):
        resumed = client.get(
            "/media/episode.mp3", HTTP_RANGE="bytes=5000-", HTTP_IF_RANGE=validator
        )
        assert resumed.status_code == 206
        assert body(resumed) == BODY[5000:]

    # The file changes: a resumed download must start again from the new whole file.
    episode.write_bytes(BODY[::-1])
    stat = episode.stat()
    os.utime(episode, (stat.st_atime, stat.st_mtime + 10))
    for validator in (etag, modified):
        stale = client.get("/media/episode.mp3", HTTP_RANGE="bytes=5000-", HTTP_IF_RANGE=validator)
        assert stale.status_code == 200
        assert body(stale) == BODY[::-1]
    weak = client.get("/media/episode.mp3", HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE="W/" + etag)
    assert weak.status_code == 200


def test_revalidation_answers_304(client, episode):
    etag = client.get("/media/episode.mp3")["ETag"]
    response = client.get("/media/episode.mp3", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_ranged_media_is_never_gzipped(client, episode):
    whole = client.get("/media/episode.mp3", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert "Content-Encoding" not in whole
    assert whole["Content-Length"] == str(SIZE)
    part = client.get("/media/episode.mp3", HTTP_RANGE="bytes=0-99", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in part
    assert body(part) == BODY[:100]


def test_downloads_keep_their_safety_headers_in_ranges(client, settings):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "page.html").write_bytes(b"<html><script>alert(1)</script></html>")
    (media / "notes.txt.gz").write_bytes(b"\x1f\x8b" + b"x" * 50)
    response = client.get("/media/page.html", HTTP_RANGE="bytes=0-5")
    assert response.status_code == 206
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert_safety_headers(response)
    compressed = client.get("/media/notes.txt.gz")
    assert compressed["Content-Type"] == "application/octet-stream"
    assert "Content-Encoding" not in compressed


@pytest.mark.django_db  # the 404 page shows the site's name
@pytest.mark.parametrize("path", ["/media/missing.mp3", "/media/", "/media/../settings.py"])
def test_missing_files_and_folders_are_not_found(client, episode, path):
    assert client.get(path).status_code in (400, 404)
