"""The Jinja2 environment of the reader-facing pages (templates under `jinja2/`).

Readers' pages are rendered with Jinja2 rather than the Django template language: the same
page renders several times faster (templates compile to Python functions), which is most
of what an uncached page costs. The admin and the emails keep the Django template language
(`templates/`). What the pages need from Django is here as globals and filters, with the
Django semantics where they differ from Jinja2's built-ins (dates in the site's time zone,
`pluralize`, `filesizeformat`).
"""

from itertools import groupby
from types import SimpleNamespace

import jinja2
from django.conf import settings
from django.template import defaultfilters, defaulttags
from django.template.backends.jinja2 import Jinja2 as DjangoJinja2
from django.template.backends.jinja2 import Template as DjangoJinja2Template
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timezone import template_localtime

from core.links import reverse_url
from core.templatetags import site_tags


class Template(DjangoJinja2Template):
    """Django's Jinja2 template with two changes: the view's context wins over the context
    processors' (as in Django templates: a view that passes `site` is not overridden by the
    processor's lazy copy), and the `template_rendered` signal the test client listens to
    (`response.context`, `assertTemplateUsed`) is sent, when someone listens."""

    def __init__(self, template, backend):
        super().__init__(template, backend)
        self.name = template.name

    def render(self, context=None, request=None):
        values = {}
        if request is not None:
            values["request"] = request
            values["csrf_input"] = csrf_input_lazy(request)
            values["csrf_token"] = csrf_token_lazy(request)
            for context_processor in self.backend.template_context_processors:
                values.update(context_processor(request))
        if context:
            values.update(context)
        if template_rendered.receivers:
            template_rendered.send(sender=self, template=self, context=values)
        return self.template.render(values)


class Jinja2(DjangoJinja2):
    def get_template(self, template_name):
        template = super().get_template(template_name)
        return Template(template.template, self)

    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)


def date(value, format_string: str = "") -> str:
    """Django's `date` filter, in the site's time zone as in Django templates."""
    if value in (None, ""):
        return ""
    return format_date(template_localtime(value), format_string or settings.DATE_FORMAT)


def datetime_attr(value) -> str:
    """A `<time datetime>` value: 2026-03-01T09:30:00+0000 in the site's time zone (what
    Django's `date:"Y-m-d\\TH:i:sO"` gives, without the general formatter's cost)."""
    if not value:
        return ""
    return template_localtime(value).strftime("%Y-%m-%dT%H:%M:%S%z")


def now(format_string: str) -> str:
    return format_date(timezone.localtime(), format_string)


@jinja2.pass_context
def querystring(context, **changes) -> str:
    """Django's `{% querystring %}`: the request's query string with `changes` applied
    (a value of None removes the key)."""
    return defaulttags.querystring(SimpleNamespace(request=context["request"]), **changes)


@jinja2.pass_context
def canonical_link(context) -> str:
    """The page's canonical address; a view may set `canonical_url` (previews do)."""
    return site_tags.canonical_url(context)


def by_month(items, attribute: str = "published_at"):
    """Consecutive items grouped by the month of `attribute`, order kept:
    [("March 2026", [items…]), …] (Django's `{% regroup %}`; Jinja2's `groupby` sorts)."""
    label = lambda item: date(getattr(item, attribute), "F Y")  # noqa: E731
    return [(month, list(group)) for month, group in groupby(items, key=label)]


def environment(**options) -> jinja2.Environment:
    # Missing variables render empty and chain (`form.email.value` with no form), as in
    # Django templates, instead of raising.
    options["undefined"] = jinja2.ChainableUndefined
    env = jinja2.Environment(**options)
    env.globals.update(
        url=reverse_url,
        static=static,
        now=now,
        querystring=querystring,
        canonical_link=canonical_link,
        public_form_token=site_tags.public_form_token,
    )
    env.filters.update(
        date=date,
        datetime_attr=datetime_attr,
        pluralize=defaultfilters.pluralize,
        filesizeformat=defaultfilters.filesizeformat,
        truncatechars=defaultfilters.truncatechars,
        intword_short=site_tags.intword_short,
        json_ld=site_tags.json_ld,
        meta_attribute=site_tags.meta_attribute,
        by_month=by_month,
    )
    return env
