# syntax=docker/dockerfile:1
# The blog as one image: gunicorn serves the site (static files through whitenoise); the
# same image runs migrations (`python manage.py migrate`) and the background worker
# (`python manage.py db_worker`). See the README's "Container" section.

# --- builder: the pinned dependencies in a virtualenv, copied whole into the final stage.
FROM python:3.13-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# Behind a TLS-intercepting proxy, pass its CA bundle as a build secret
# (`--secret id=cacert,src=/path/to/ca.crt`): it is mounted for this step only and never
# stored in a layer. Without the secret the step uses pip's own certificates.
RUN --mount=type=secret,id=cacert,required=false \
    sh -c 'if [ -f /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi; \
           /opt/venv/bin/pip install -r /tmp/requirements.txt'

# --- final image
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_DEBUG=false \
    DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_VAR_DIR=/data \
    PORT=8000

# An unprivileged user with a fixed numeric uid/gid (Kubernetes' runAsNonRoot can check a
# number, and volume ownership is predictable). It owns /data only: the code stays root's.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin app \
    && mkdir -p /data/media \
    && chown -R 10001:10001 /data

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .

# Collect static files into /app/staticfiles (hashed and compressed for whitenoise) at
# build time. Production settings insist on a secret key and allowed hosts, so this one
# command gets throwaway values; nothing here persists into the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789abcdefghijklmnop \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input --verbosity 0

USER 10001:10001
VOLUME ["/data/media"]
EXPOSE 8000

# Probes /healthz over loopback with a Host header Django accepts (the first
# DJANGO_ALLOWED_HOSTS entry); /healthz is exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': h}), timeout=4)"]

# The entry point runs any command given (a bare manage.py subcommand works too, e.g.
# `migrate`); the default command is the web server.
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi:application"]
