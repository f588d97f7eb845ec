#!/bin/sh
# Build the container image with podman and check that it really works: migrations against
# a scratch PostgreSQL database, the web server (pages, static files, admin, health check)
# and the background worker. Cleans up after itself; exits non-zero on any failure.
#
#   sudo scripts/container-smoke.sh
#
# Made for machines without a Docker daemon or registry access (see CONTAINERS.md in the
# shared notes): it writes a podman config (runc, ulimits) unless CONTAINERS_CONF is set,
# and if `python:3.13-slim` cannot be found locally it builds a stand-in with debootstrap
# (Debian trixie, Python 3.13; needs root). Needs podman, curl, and PostgreSQL reachable
# on the host with createdb/dropdb.
#
# Settings (environment): IMAGE (blog), SMOKE_PORT (8089), SMOKE_DB (blog_container),
# PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres; no password, or use PGPASSWORD),
# CACERT (/etc/ssl/certs/ca-certificates.crt: passed as the build secret when present).
# The image is kept afterwards (`podman rmi blog` removes it).
set -eu

cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-blog}
PORT=${SMOKE_PORT:-8089}
DB=${SMOKE_DB:-blog_container}
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
CACERT=${CACERT:-/etc/ssl/certs/ca-certificates.crt}
BASE=docker.io/library/python:3.13-slim
NAME=blog-smoke-$$
WORK=$(mktemp -d)
BASE_URL="http://127.0.0.1:$PORT"

# Only the web container keeps the image's health check (run by hand below): podman without
# systemd cannot schedule it and logs "unable to get systemd connection" (harmless).
prun() { podman run --no-healthcheck "$@"; }
say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

cleanup() {
    status=$?
    for c in "$NAME-web" "$NAME-worker"; do
        if podman container exists "$c" 2>/dev/null; then
            [ "$status" -eq 0 ] || { echo "--- logs of $c"; podman logs --tail 40 "$c" 2>&1; }
            podman rm -f -v -t 5 "$c" >/dev/null 2>&1 || true  # -v: its /data/media volume
        fi
    done
    dropdb --if-exists "$DB" 2>/dev/null || true
    rm -rf "$WORK"
    if [ "$status" -eq 0 ]; then printf '\nContainer smoke test passed.\n'; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- podman configuration: crun fails here on hybrid cgroups, and both runtimes need
# explicit ulimits (setrlimit EPERM otherwise).
if [ -z "${CONTAINERS_CONF:-}" ]; then
    export CONTAINERS_CONF="$WORK/containers.conf"
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' \
        >"$CONTAINERS_CONF"
    if command -v runc >/dev/null 2>&1; then
        printf '[engine]\nruntime = "runc"\n' >>"$CONTAINERS_CONF"
    fi
fi
command -v podman >/dev/null || fail "podman is not installed (apt-get install -y podman runc)"
command -v curl >/dev/null || fail "curl is not installed"

# --- base image: use a local python:3.13-slim, pull it, or build a stand-in.
if ! podman image exists "$BASE"; then
    say "No local $BASE: trying to pull it"
    if ! timeout 60 podman pull -q "$BASE" >/dev/null 2>&1; then
        say "Pull failed: building a stand-in $BASE with debootstrap (Debian trixie)"
        [ "$(id -u)" -eq 0 ] || fail "building the stand-in base image needs root"
        command -v debootstrap >/dev/null || fail "apt-get install -y debootstrap"
        rootfs="$WORK/rootfs"
        debootstrap --variant=minbase trixie "$rootfs" http://deb.debian.org/debian >/dev/null
        chroot "$rootfs" apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive chroot "$rootfs" \
            apt-get install -y -q python3 python3-venv ca-certificates >/dev/null
        chroot "$rootfs" apt-get clean
        rm -rf "$rootfs"/var/lib/apt/lists/*
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python"
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python3"
        tar -C "$rootfs" -c . | podman import - "$BASE" >/dev/null
        rm -rf "$rootfs"
    fi
fi

# --- build. Docker format: the OCI format has no HEALTHCHECK and podman would drop it.
say "Building $IMAGE"
set -- --format docker -t "$IMAGE"
if [ -s "$CACERT" ]; then set -- "$@" --secret "id=cacert,src=$CACERT"; fi
podman build "$@" . || fail "podman build failed"
podman images "$IMAGE"

# --- the image itself
say "Checking the image"
uid=$(prun --rm "$IMAGE" id -u)
[ "$uid" = 10001 ] || fail "container runs as uid $uid, expected 10001"
leftovers=$(prun --rm "$IMAGE" sh -c \
    'cd /app && ls -d .env .git .venv var tests .pytest_cache .ruff_cache 2>/dev/null;
     ls /run/secrets 2>/dev/null;
     env | grep -E "^(DJANGO_SECRET_KEY|PIP_CERT)=" || true')
[ -z "$leftovers" ] || fail "image contains what it should not: $leftovers"
prun --rm "$IMAGE" test -f staticfiles/staticfiles.json || fail "no collected static files"
echo "uid 10001, no .env/.git/.venv/var/tests/CA bundle/secret key, static files collected"

# --- scratch database and run-time settings (the host's PostgreSQL, hence --network host
# and gunicorn on loopback).
say "Scratch database $DB"
dropdb --if-exists "$DB" 2>/dev/null
createdb "$DB"
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(45))')
cat >"$WORK/env" <<EOF
DJANGO_SECRET_KEY=$secret
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$DB
DJANGO_SECURE_SSL_REDIRECT=false
GUNICORN_HOST=127.0.0.1
PORT=$PORT
WEB_CONCURRENCY=2
REDIS_URL=redis://127.0.0.1:6379/9
EMAIL_URL=smtp://127.0.0.1:2525
EOF
[ -z "${PGPASSWORD:-}" ] || sed -i "s|^DATABASE_URL=.*|DATABASE_URL=postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$DB|" "$WORK/env"
run() { prun --network host --env-file "$WORK/env" "$@"; }

# A fresh database gets a fresh cache (Redis db 9 of the host is this check's own).
redis-cli -n 9 flushdb >/dev/null 2>&1 || true

say "Migrations (the compose 'migrate' step)"
run --rm "$IMAGE" python manage.py migrate --no-input || fail "migrate failed"
say "A bare manage.py subcommand through the entry point: check"
run --rm "$IMAGE" check || fail "manage.py check failed"
if prun --rm -e DJANGO_SECRET_KEY=change-me-0123456789012345678901234567890123456789 \
    "$IMAGE" true 2>/dev/null; then
    fail "the entry point accepted the .env.example placeholder secret key"
fi

# --- web
say "Web server on $BASE_URL"
if curl -s -o /dev/null "$BASE_URL/"; then fail "something already listens on port $PORT"; fi
podman run --network host --env-file "$WORK/env" -d --name "$NAME-web" "$IMAGE" >/dev/null
i=0
until curl -fs -o /dev/null "$BASE_URL/healthz"; do
    i=$((i + 1))
    [ "$i" -lt 30 ] || fail "web server did not answer /healthz within 30 s"
    podman container exists "$NAME-web" && [ "$(podman inspect -f '{{.State.Running}}' "$NAME-web")" = true ] \
        || fail "web container exited"
    sleep 1
done

# expect URL STATUS [TEXT]: the status code, and TEXT somewhere in the body.
expect() {
    code=$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE_URL$1")
    printf '%s %s\n' "$code" "$1"
    [ "$code" = "$2" ] || fail "GET $1 answered $code, expected $2"
    if [ -n "${3:-}" ]; then grep -q "$3" "$WORK/body" || fail "GET $1 does not contain '$3'"; fi
}
expect /healthz 200 ok
expect / 200 "Nothing published yet"
css=$(grep -o '/static/css/site\.[0-9a-f]*\.css' "$WORK/body" | head -n 1)
[ -n "$css" ] || fail "home page links no hashed /static/css/site.<hash>.css"
expect /static/css/site.css 200 "{"
expect "$css" 200
expect /admin/login/ 200 'name="password"'
expect /readyz 200 ok

# Content from another container of the same image (the page cache and its version live in
# the shared Redis, so the web container sees the change at once), then a post and a feed.
say "Demo content (seed_demo in a one-off container), a post and a feed"
run --rm "$IMAGE" seed_demo >/dev/null || fail "seed_demo failed"
expect / 200 "Latest posts"
post=$(grep -o '/posts/[a-z0-9-]*/' "$WORK/body" | head -n 1)
[ -n "$post" ] || fail "the home page links no post after seeding"
expect "$post" 200 "<article"
expect /feed/ 200 "<rss"
expect /feed/podcast/ 200 "itunes:"
expect /sitemap.xml 200 "<urlset"
expect /no-such-page/ 404
gz=$(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{content_type} %header{content-encoding}' \
    "$BASE_URL$css" 2>/dev/null || true)
echo "compressed static: $gz"
podman healthcheck run "$NAME-web" >/dev/null || fail "the image's HEALTHCHECK fails"
echo "image HEALTHCHECK: healthy"
podman logs "$NAME-web" 2>&1 | grep -q Traceback && fail "traceback in the web server's log"

# --- worker: starts, keeps running, stops cleanly on SIGTERM.
say "Worker (manage.py db_worker)"
run -d --name "$NAME-worker" "$IMAGE" python manage.py db_worker >/dev/null
sleep 6
[ "$(podman inspect -f '{{.State.Running}}' "$NAME-worker")" = true ] || fail "worker exited"
podman stop -t 15 "$NAME-worker" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME-worker")
podman logs "$NAME-worker" 2>&1 | tail -n 5
podman logs "$NAME-worker" 2>&1 | grep -q Traceback && fail "traceback in the worker's log"
[ "$code" = 0 ] || fail "worker exited with $code on SIGTERM"
echo "worker ran 6 s and stopped cleanly (exit 0)"
