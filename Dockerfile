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
    sh -c 'if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi; \
           /opt/venv/bin/pip install -r /tmp/requirements.txt'
# pip itself is not needed at run time (12 MB, and one less thing for scanners to flag).
RUN /opt/venv/bin/pip uninstall --yes pip

# --- final image
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_DEBUG=false \
    DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_VAR_DIR=/data \
    PORT=8000

# pg_dump/pg_restore for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user with a fixed numeric uid/gid (Kubernetes' runAsNonRoot can check a
# number, and volume ownership is predictable). It owns /data only: the code stays root's.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --home-dir /data --no-create-home \
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

# GET /healthz over loopback (docker/healthcheck.py: slim has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

# The entry point runs any command given (a bare manage.py subcommand works too, e.g.
# `migrate`); the default command is the web server.
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi:application"]
