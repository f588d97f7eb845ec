import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsletter.models import normalize_email

INVALID_EMAIL = "Enter a valid email address, like name@example.com."
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        validate_deliverable(email)
        return email

    def clean_name(self):
        name = self.cleaned_data["name"]
        if CONTROL.search(name):
            raise ValidationError("Use letters, not control characters.", code="invalid")
        return name.strip()

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


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
