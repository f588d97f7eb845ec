from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from wordpress.wxr import NotAnExport, scan

# The import runs inside the request (about 35 posts a second): bigger exports belong to
# the command, which has no request time limit, a progress bar and --media-dir.
DEFAULT_MAX_UPLOAD_MB = 20


def max_upload_bytes() -> int:
    mb = getattr(settings, "WORDPRESS_IMPORT_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
    return int(mb) * 1024 * 1024


class ImportForm(forms.Form):
    export = forms.FileField(
        label="WordPress export file",
        help_text="The .xml file from WordPress's Tools → Export → All content.",
    )
    pages = forms.ChoiceField(
        label="Pages",
        choices=[
            ("skip", "Skip them (this site has no pages; they are listed in the report)"),
            ("draft", "Import them as draft posts, to keep their text"),
        ],
        initial="skip",
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label="Dry run: show what the import would do, change nothing", required=False
    )

    def clean_export(self):
        upload = self.cleaned_data["export"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                "The file is %(size)s; the limit here is %(limit)s. Import larger exports "
                "with the command: python manage.py import_wordpress EXPORT.xml",
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        upload.seek(0)
        head = upload.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
        upload.seek(0)
        if not head.startswith(b"<"):
            raise forms.ValidationError(
                "This is not an XML file. Upload the .xml file WordPress exports under "
                "Tools → Export.",
                code="not_xml",
            )
        try:
            scan(upload)
        except NotAnExport as exc:
            raise forms.ValidationError(str(exc), code="not_wxr") from None
        upload.seek(0)
        return upload
