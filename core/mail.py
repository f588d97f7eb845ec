"""The site's email backends: the console one for development, messages printed as a
person reads them; and Django's SMTP backend with DKIM signing (SigningSMTPBackend).

Django's console backend prints the wire format: quoted-printable bodies, where `=` soft
line breaks cut every long link in two, so a confirmation link can't be clicked or
pasted. This backend prints the headers decoded, the plain-text part as text (links
whole), and one line for each other part (the HTML version, attachments). It is what
`EMAIL_URL=console://` (the development default) sends through.
"""

import email.policy
import re
import smtplib
from email.message import EmailMessage

from django.core.mail.backends.console import EmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPEmailBackend

from core import dkim

RULE = "-" * 79
# An address SMTP and the To header take as it is: ASCII dot-atoms on both sides of the @.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
# Headers about the MIME structure, which the decoded output makes moot.
PLUMBING = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}


def _size(part) -> str:
    n = len(part.get_payload(decode=True) or b"")
    return f"{n} bytes" if n < 1000 else f"{n / 1000:.1f} kB"


def render(msg: EmailMessage) -> str:
    """A message as readable text: headers, the text part, a line per other part."""
    lines = [f"{name}: {value}" for name, value in msg.items() if name.lower() not in PLUMBING]
    text_part = msg.get_body(preferencelist=("plain",))
    others = []
    for part in msg.walk():
        if part.is_multipart() or part is text_part:
            continue
        kind = part.get_content_type()
        name = part.get_filename()
        if name:
            others.append(f"[attachment {name}: {kind}, {_size(part)}]")
        elif kind == "text/html" and text_part is not None:
            others.append(f"[HTML version: {_size(part)}, not shown]")
        elif part.get_content_maintype() == "text":
            others.append(f"[{kind} part]\n{part.get_content().rstrip()}")
        else:
            others.append(f"[{kind} part: {_size(part)}]")
    lines.append("")
    if text_part is not None:
        lines.append(text_part.get_content().rstrip())
    if others:
        lines.append("")
        lines.extend(others)
    return "\n".join(lines)


class ConsoleEmailBackend(EmailBackend):
    """Django's console backend, writing each message decoded (see the module docstring)."""

    def write_message(self, message):
        self.stream.write(f"{render(message.message())}\n{RULE}\n")


class PlainAddressCommands:
    """smtplib's MAIL and RCPT commands, without parsing an address that is plain already.

    smtplib quotes every address through email.utils.parseaddr, a pure-Python parser: a
    third of the CPU time the newsletter's send loop spent on a message. A PLAIN_ADDRESS
    comes out of it unchanged, so it is written as `<address>` directly; anything else
    (and SMTPUTF8) takes smtplib's own way."""

    def mail(self, sender, options=()):
        if not PLAIN_ADDRESS.fullmatch(sender) or any(o.lower() == "smtputf8" for o in options):
            return super().mail(sender, options)
        self.putcmd("mail", f"from:<{sender}>{self._option_list(options)}")
        return self.getreply()

    def rcpt(self, recip, options=()):
        if not PLAIN_ADDRESS.fullmatch(recip):
            return super().rcpt(recip, options)
        self.putcmd("rcpt", f"to:<{recip}>{self._option_list(options)}")
        return self.getreply()

    def _option_list(self, options) -> str:
        return " " + " ".join(options) if options and self.does_esmtp else ""


class SMTP(PlainAddressCommands, smtplib.SMTP):
    pass


class SMTP_SSL(PlainAddressCommands, smtplib.SMTP_SSL):
    pass


class SigningSMTPBackend(SMTPEmailBackend):
    """Django's SMTP backend, signing each message with DKIM when DKIM_DOMAIN is set (what
    every smtp:// EMAIL_URL uses, config/builders.mailer), on connections that write plain
    addresses without parsing them (PlainAddressCommands). The newsletter's send loop
    writes its own bytes on this backend's connection and signs them itself."""

    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP

    def _send(self, email_message):
        if not dkim.enabled():
            return super()._send(email_message)
        # Django's _send (6.1), with the bytes signed between building and sending.
        if not email_message.recipients():
            return False
        from_email = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(address) for address in email_message.recipients()]
        data = dkim.sign(email_message.message(policy=email.policy.SMTP).as_bytes())
        try:
            self.connection.sendmail(from_email, recipients, data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
