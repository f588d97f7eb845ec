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
