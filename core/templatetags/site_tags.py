from django import template

register = template.Library()


@register.filter
def intword_short(value) -> str:
    """950 → "950", 11_400 → "11K", 1_250_000 → "1.2M": how reader counts are shown."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    for size, suffix in ((1_000_000, "M"), (1_000, "K")):
        if n >= size:
            shown = n / size
            text = f"{shown:.1f}".rstrip("0").rstrip(".") if shown < 10 else f"{int(shown)}"
            return f"{text}{suffix}"
    return str(n)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's canonical address: SITE_URL + path, keeping only a `page` number above 1.

    A view can set `canonical_url` in the context (previews point at the public page)."""
    from django.conf import settings

    if context.get("canonical_url"):
        return context["canonical_url"]
    request = context.get("request")
    if request is None:
        return settings.SITE_URL + "/"
    url = settings.SITE_URL + request.path
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        url += f"?page={int(page)}"
    return url


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    """A <script type="application/ld+json"> block for structured data.

    A data block, not a script: browsers never run it, so the Content Security Policy
    (script-src 'self') neither applies nor complains. <, > and & are escaped as in
    Django's json_script, so no string in it can close the element."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


@register.filter
def meta_attribute(key: str) -> str:
    """Open Graph tags go in `property`, Twitter card tags in `name`."""
    return "name" if key.startswith("twitter:") else "property"


@register.simple_tag
def public_form_token():
    """The hidden field of a public form on a cacheable page (see core.formguard)."""
    from django.utils.html import format_html

    from core.formguard import FIELD, form_token

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, form_token())
