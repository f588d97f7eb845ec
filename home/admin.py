"""Preview buttons on the change pages of posts, releases and newsletter issues.

The three admins belong to their apps (blog, projects, newsletter); home only wraps the change
form each of them already uses, so their own buttons (such as the newsletter's "Send by
email…") stay, and none of those apps has to know about previews.
"""

from django.contrib import admin

from blog.models import Post
from newsletter.models import Issue
from projects.models import Release

PREVIEW_TEMPLATE = "admin/home/preview_change_form.html"


def add_preview_tools(model):
    model_admin = admin.site._registry.get(model)
    if model_admin is None or model_admin.change_form_template == PREVIEW_TEMPLATE:
        return
    base = model_admin.change_form_template or "admin/change_form.html"
    render = model_admin.render_change_form

    def render_change_form(request, context, *args, **kwargs):
        context["preview_base_template"] = base
        return render(request, context, *args, **kwargs)

    model_admin.change_form_template = PREVIEW_TEMPLATE
    model_admin.render_change_form = render_change_form


for _model in (Post, Release, Issue):
    add_preview_tools(_model)
