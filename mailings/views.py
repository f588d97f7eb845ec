"""The post's "Send to subscribers" page in the admin (core.admintools puts the button on
the post's change page): full text or excerpt, both previewed, then sent now or when the
post is published."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from blog.models import Post
from core.models import SiteSettings
from mailings import post_emails
from newsletter import topics


class SendPostForm(forms.Form):
    content = forms.ChoiceField(
        choices=[("full", "The full post"), ("excerpt", "The excerpt and “Continue reading”")],
        widget=forms.RadioSelect,
    )


def send_post(request, pk):
    if not request.user.has_perm("newsletter.add_issue"):
        raise PermissionDenied
    post = get_object_or_404(Post, pk=pk)
    email = post_emails.email_for(post)
    if email is not None:
        return HttpResponseRedirect(reverse("admin:newsletter_issue_send", args=[email.pk]))
    site = SiteSettings.get_solo()
    initial = {"content": "full" if site.post_email_full_text else "excerpt"}
    form = SendPostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            email = post_emails.send_post(post, form.cleaned_data["content"] == "full")
        except post_emails.PostEmailError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, post_emails.status_note(email))
            return HttpResponseRedirect(reverse("admin:blog_post_change", args=[post.pk]))
    topic = topics.posts_topic()
    context = {
        **admin.site.each_context(request),
        "title": f"Send “{post.title}” to subscribers",
        "post": post,
        "form": form,
        "topic": topic,
        "followers": topics.followers_count(topic) if topic else 0,
        "opts": Post._meta,
    }
    return TemplateResponse(request, "admin/mailings/send_post.html", context)
