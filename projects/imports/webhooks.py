"""The release webhooks: `POST /hooks/github/` (GitHub's `release` and `ping` events) and
`POST /hooks/gitlab/` (GitLab's Release Hook).

Answers, so the sender's delivery log says what happened:
- 401 without a signature (GitHub's X-Hub-Signature-256) or token (X-Gitlab-Token), 403
  with a wrong one, or when no secret is configured: nothing is read further;
- 413 for a body over 1 MB, 400 for a signed body that is not the JSON expected;
- 202 for an event that is not about a release, a draft, or an unknown repository (logged);
- 200 with the outcome otherwise, and for a redelivery (same delivery id) that changes
  nothing ("already handled").

GitHub signs with GITHUB_WEBHOOK_SECRET or, if the project has one, its own secret: the
repository named in the (not yet trusted) payload picks which secret may verify it, and
nothing is written before one does.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from projects.imports import sources
from projects.imports.apply import apply, remove
from projects.models import Project, WebhookDelivery

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
PUBLISHING = {"published", "released", "prereleased", "created", "edited"}
REMOVING = {"deleted", "unpublished"}


def _answer(status: int, message: str) -> JsonResponse:
    return JsonResponse({"outcome": message}, status=status)


def _body(request) -> bytes | None:
    """The body, or None when it is over MAX_BODY (refused before it is all read)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _json(body: bytes):
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _signed(body: bytes, signature: str, secret: str) -> bool:
    if not secret:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip())


def _once(source: str, delivery_id: str, handle) -> JsonResponse:
    """Run `handle()` (→ (status, message)) unless this delivery was handled before; the
    record and the effect commit together, so a failure leaves it to be redelivered."""
    if not delivery_id:
        status, message = handle()
        return _answer(status, message)
    key = f"{source}:{delivery_id[:80]}"
    if WebhookDelivery.objects.filter(delivery_id=key).exists():
        return _answer(200, "already handled")
    try:
        with transaction.atomic():
            record = WebhookDelivery.objects.create(delivery_id=key, source=source)
            status, message = handle()
            if status >= 400:  # not handled: a fixed redelivery must still get through
                transaction.set_rollback(True)
            else:
                record.outcome = message[:300]
                record.save(update_fields=["outcome"])
    except IntegrityError:  # the same delivery twice at once
        return _answer(200, "already handled")
    return _answer(status, message)


@csrf_exempt
@require_POST
def github(request):
    body = _body(request)
    if body is None:
        return _answer(413, "The body is over 1 MB.")
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature:
        return _answer(401, "No X-Hub-Signature-256 header: set a secret on the webhook.")
    payload = _json(body)
    repo = ""
    if payload and isinstance(payload.get("repository"), dict):
        repo = str(payload["repository"].get("full_name") or "")
    project = Project.objects.filter(github_repo__iexact=repo).first() if repo else None
    if not (
        _signed(body, signature, settings.GITHUB_WEBHOOK_SECRET)
        or (project is not None and _signed(body, signature, project.webhook_secret))
    ):
        return _answer(403, "The signature does not match the secret.")
    if payload is None:
        return _answer(400, "The body is not a JSON object.")
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return _answer(200, "pong")
    if event != "release":
        return _answer(202, f"Ignored: a {event or 'unnamed'} event.")
    if project is None:
        logger.warning("GitHub release event for unknown repository %r", repo)
        return _answer(202, f"No project has the repository {repo!r}.")
    return _once("github", request.headers.get("X-GitHub-Delivery", ""),
                 lambda: _github_release(project, payload))  # fmt: skip


def _github_release(project: Project, payload: dict) -> tuple[int, str]:
    action = payload.get("action")
    try:
        release = payload.get("release")
        if action in REMOVING:
            return 200, str(remove(project, sources.github_release(release).tag, "GitHub"))
        if action not in PUBLISHING:
            return 202, f"Ignored: action {action!r}."
        if isinstance(release, dict) and release.get("draft"):
            return 202, "Ignored: a draft on GitHub."
        return 200, str(apply(project, sources.github_release(release)))
    except sources.PayloadError as error:
        return 400, f"Not a release payload: {error}."


@csrf_exempt
@require_POST
def gitlab(request):
    body = _body(request)
    if body is None:
        return _answer(413, "The body is over 1 MB.")
    token = request.headers.get("X-Gitlab-Token", "")
    if not token:
        return _answer(401, "No X-Gitlab-Token header: set a secret token on the webhook.")
    expected = settings.GITLAB_WEBHOOK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return _answer(403, "The token does not match GITLAB_WEBHOOK_TOKEN.")
    payload = _json(body)
    if payload is None:
        return _answer(400, "The body is not a JSON object.")
    if payload.get("object_kind") != "release":
        return _answer(202, f"Ignored: a {payload.get('object_kind') or 'unnamed'} event.")
    about = payload.get("project") if isinstance(payload.get("project"), dict) else {}
    names = [str(about.get("path_with_namespace") or ""), str(about.get("id") or "")]
    project = Project.objects.filter(gitlab_project__in=[n for n in names if n]).first()
    if project is None:
        logger.warning("GitLab release event for unknown project %r", names[0])
        return _answer(202, f"No project has the GitLab project {names[0]!r}.")
    delivery = request.headers.get("Idempotency-Key") or request.headers.get(
        "X-Gitlab-Event-UUID", ""
    )
    return _once("gitlab", delivery, lambda: _gitlab_release(project, payload, about))


def _gitlab_release(project: Project, payload: dict, about: dict) -> tuple[int, str]:
    try:
        upstream = sources.gitlab_release(payload, str(about.get("web_url") or ""))
    except sources.PayloadError as error:
        return 400, f"Not a release payload: {error}."
    if payload.get("action") == "delete":
        return 200, str(remove(project, upstream.tag, "GitLab"))
    return 200, str(apply(project, upstream))
