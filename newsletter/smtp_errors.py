"""What an exception raised while sending one email means: try again later, give up on
this address, or the SMTP session itself is unusable."""

import smtplib

TEMPORARY, PERMANENT, CONNECTION = "temporary", "permanent", "connection"


def _decode(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def classify(error: Exception) -> tuple[str, str, bool]:
    """(kind, reason, bounced) for an exception raised while sending one message.

    `connection` means the SMTP session is unusable (reconnect or give up the batch);
    `bounced` means the server refused the recipient for good."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (450, b"refused"))
        reason = f"{code} {_decode(reply)}"
        return (PERMANENT, reason, True) if 500 <= code < 600 else (TEMPORARY, reason, False)
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our sender address refused: every message would fail alike. Not the
        # recipient's fault, so retry later rather than fail the whole list.
        return CONNECTION, f"sender refused: {error.smtp_code} {_decode(error.smtp_error)}", False
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return CONNECTION, f"{type(error).__name__}: {error}", False
    if isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPHeloError)):
        return CONNECTION, f"{error.smtp_code} {_decode(error.smtp_error)}", False
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_decode(error.smtp_error)}"
        if error.smtp_code == 421:  # "service closing": a dropped session
            return CONNECTION, reason, False
        kind = PERMANENT if 500 <= error.smtp_code < 600 else TEMPORARY
        return kind, reason, False
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return CONNECTION, f"{type(error).__name__}: {error}", False
    if isinstance(error, ValueError):  # an address Django refuses to put on the wire
        return PERMANENT, f"invalid address: {error}", False
    return TEMPORARY, f"{type(error).__name__}: {error}", False
