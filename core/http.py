from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies,
    the X-Forwarded-For entry the outermost trusted proxy added (entries further left are
    whatever the client claimed, so they are never trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


# The user name columns of django-axes' records (AccessAttempt, AccessLog, …).
AXES_USERNAME_LENGTH = 255


def login_username(request, credentials=None) -> str | None:
    """The user name django-axes records a login attempt under (AXES_USERNAME_CALLABLE):
    the one typed, cut to the length of axes' column.

    axes cuts the user agent and path it stores but not the name, so a 10,000-character
    name was a database error (a 500) on PostgreSQL. No account has a name that long
    (Django's are at most 150 characters), so the cut name still locks out, per address,
    whoever keeps trying it."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        name = credentials.get(field)
    else:
        name = getattr(request, "data", request.POST).get(field)
    return name[:AXES_USERNAME_LENGTH] if isinstance(name, str) else name
