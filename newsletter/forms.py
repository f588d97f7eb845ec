from django import forms

from newsletter.models import Subscriber, normalize_email


class SignupForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    name = forms.CharField(max_length=100, required=False)
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(required=False, max_length=200)
    source = forms.CharField(required=False, max_length=100)

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def save(self) -> Subscriber:
        """Store the signup. An address already on the list is left as it is, so the answer
        never tells a stranger whether someone subscribed."""
        subscriber = Subscriber.objects.filter(email__iexact=self.cleaned_data["email"]).first()
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                email=self.cleaned_data["email"],
                name=self.cleaned_data["name"].strip(),
                source=(self.cleaned_data["source"] or "website")[:100],
            )
        return subscriber
