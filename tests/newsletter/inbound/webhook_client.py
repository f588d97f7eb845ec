"""Posting to a webhook at the live server the way a provider does: a body, its headers,
basic-auth credentials; the answer's status, error statuses included."""

import base64
import urllib.error
import urllib.request


def post_status(url: str, body: bytes, headers: dict, auth: str | None) -> int:
    request = urllib.request.Request(url, data=body, headers=headers)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
