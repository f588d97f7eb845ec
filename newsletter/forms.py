import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsletter.models import Topic, normalize_email

INVALID_EMAIL = "Enter a valid email address, like name@example.com."
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Where the signup form is shown (the `source` each template passes to
# includes/signup_form.html): what Subscriber.source may say of a signup from the site.
SIGNUP_SOURCES = {
    "website": "any page (the default)",
    "home": "the home page",
    "post": "the end of a post",
    "project": "a project's page (its releases)",
    "issue": "a newsletter issue's page",
    "newsletter": "the newsletter page",
    "resubscribe": "the page after unsubscribing",
    "link": "the page of an expired confirmation link",
}
# Zero-width joiners shape Persian, Indic and emoji text; other format characters do not
# belong in a name (they hide or reorder text in the admin and in emails).
_JOINERS = {"\u200c", "\u200d"}


def is_plain_text(text: str) -> bool:
    """No control, format (bidi overrides, zero-width spaces), private-use or unassigned
    characters and no line or paragraph separators (U+2028, U+2029)."""
    return not any(
        (unicodedata.category(ch)[0] == "C" and ch not in _JOINERS)
        or unicodedata.category(ch) in ("Zl", "Zp")
        for ch in text
    )


def validate_deliverable(email: str) -> None:
    """What Django's EmailValidator lets through but no newsletter can use: a domain
    without a dot (localhost), an IP literal, control characters."""
    domain = email.rpartition("@")[2]
    if CONTROL.search(email) or domain.startswith("[") or "." not in domain:
        raise ValidationError(INVALID_EMAIL, code="invalid")


class SignupForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={"required": "Enter your email address.", "invalid": INVALID_EMAIL},
    )
    name = forms.CharField(max_length=100, required=False)
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(required=False, max_length=200)
    source = forms.CharField(required=False, max_length=100)
    # Topic keys: checkboxes on the newsletter page's form (`choosing` marks that it showed
    # them), or one hidden key ("Email me new releases of …" on a project's page). Without
    # any, a signup is for the newsletter.
    topics = forms.MultipleChoiceField(required=False)
    choosing = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data
        keys = data.getlist("topics") if hasattr(data, "getlist") else data.get("topics") or []
        self.fields["topics"].choices = [(key, key) for key in keys]

    def clean_topics(self):
        keys = self.cleaned_data["topics"]
        found = list(Topic.objects.filter(key__in=keys))
        if len(found) != len(set(keys)):
            raise ValidationError(
                "This form is out of date: please send it again.", code="unknown_topic"
            )
        if self.data.get("choosing") and not found:
            raise ValidationError("Choose at least one thing to receive.", code="no_topic")
        return found

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        validate_deliverable(email)
        return email

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not is_plain_text(name):
            raise ValidationError("Use letters, not control characters.", code="invalid")
        return name.strip()

    def clean_source(self):
        source = self.cleaned_data["source"] or "website"
        if source not in SIGNUP_SOURCES:
            raise ValidationError(
                "This form is out of date: please send it again.", code="unknown_source"
            )
        return source

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class PreferencesForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Send me",
    )


class SubscriberImportForm(forms.Form):
    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, name (optional), subscribed date (optional, e.g. "
        "2024-03-01). A header row is recognised when it names an “email” column. "
        "UTF-8, at most 10 MB.",
    )
    consented = forms.BooleanField(
        label="These people have already agreed to receive the newsletter",
        required=False,
        help_text="Ticked: imported as active (keep your proof of their consent). Not "
        "ticked: imported as pending, and each gets a confirmation email.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("The file is larger than 10 MB; split it into parts.")
        return upload


class SendIssueForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", "Now"), ("later", "At a given time")],
        initial="now",
        widget=forms.RadioSelect,
    )
    send_at = forms.DateTimeField(
        label="Send at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text="In the site's time zone.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == "later":
            send_at = cleaned.get("send_at")
            if not send_at:
                self.add_error("send_at", "Choose when to send it.")
            elif send_at <= timezone.now():
                self.add_error("send_at", "Choose a time in the future.")
        return cleaned
