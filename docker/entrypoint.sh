#!/bin/sh
# Container entry point: runs the command it is given (the image's default command is
# gunicorn). A first word that is not a program is taken as a manage.py subcommand, so
#   docker compose run --rm web python manage.py createsuperuser
#   docker compose run --rm web createsuperuser
# do the same thing.
set -eu

# The placeholder from .env.example would be a publicly known key: refuse it.
case "${DJANGO_SECRET_KEY:-}" in
    change-me*)
        echo "DJANGO_SECRET_KEY is still the .env.example placeholder: set a random one." >&2
        exit 64
        ;;
esac

if [ "$#" -gt 0 ] && ! command -v "$1" >/dev/null 2>&1; then
    set -- python manage.py "$@"
fi

# exec: the command becomes PID 1 and gets `docker stop`'s SIGTERM itself (gunicorn and
# db_worker both shut down gracefully on it).
exec "$@"
