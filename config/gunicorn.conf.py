"""Gunicorn settings, read from the environment (used by the container image).

    gunicorn --config config/gunicorn.conf.py config.wsgi:application

Every value has a default that suits one small machine; the README lists the variables.
"""

import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus():
    # The CPUs this process may run on (respects cpusets/--cpuset-cpus); cgroup CPU
    # quotas are not visible here, so set WEB_CONCURRENCY when using --cpus limits.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# Listen on all interfaces inside the container; PORT is the common PaaS convention.
# GUNICORN_HOST=127.0.0.1 keeps it on loopback (e.g. with --network host).
bind = [f"{os.environ.get('GUNICORN_HOST', '0.0.0.0')}:{_int('PORT', 8000)}"]

# The classic 2 x CPUs + 1, capped: each worker holds a full copy of Django (~60-100 MB)
# and, with persistent connections, its own database connections per thread.
workers = _int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 8))

# gthread by default: a long request (a 200 MB audio upload from a slow client) keeps the
# worker's heartbeat alive, where a sync worker would be killed after `timeout` seconds.
# GUNICORN_THREADS=1 with GUNICORN_WORKER_CLASS=sync gives plain sync workers.
threads = _int("GUNICORN_THREADS", 4)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")

timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than gunicorn's 2 s so a reverse proxy's pooled connections are not dropped
# under it; keep it below the proxy's own idle timeout.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Load Django once in the master and fork workers from it: a worker starts (or is recycled)
# in milliseconds instead of importing everything again, and they share that memory.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")

# Recycle workers now and then so a slow leak cannot grow forever (0 disables).
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# The heartbeat file on tmpfs: on an overlay filesystem its writes can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicornc's control socket: by default under $HOME (/data in the image); keep it in /tmp.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "/tmp/gunicorn.ctl")

# Logs to the container's output: access log on stdout, errors on stderr.
# The app logs every request itself (core.middleware.RequestLogMiddleware, JSON with a
# request id), so gunicorn's access log is off unless GUNICORN_ACCESS_LOG names a target.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Which peers may set X-Forwarded-* headers (the reverse proxy in front). Comma-separated
# IPs/networks, or "*" when only the proxy can reach this port (e.g. a compose network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def worker_exit(server, worker):
    """A worker stopping (restart, recycling, shutdown) writes its last statistics first:
    a clean shutdown loses no count (stats.recorder)."""
    try:
        from stats.recorder import recorder
    except Exception:  # the app never loaded in this worker
        return
    recorder.flush()
