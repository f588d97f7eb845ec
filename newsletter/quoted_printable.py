"""Quoted-printable for the send loop's fast path (newsletter.emails.RenderedIssue): a
part encoded once per rendering in pieces around each recipient's token, so a message is
assembled by joining bytes, not by encoding the part again."""

import binascii


def encode(text: str) -> bytes:
    """UTF-8, quoted-printable (binascii's C encoder), CRLF line ends, lines of at most 76
    characters (RFC 2045): binascii lets a line of 75 end in an encoded space or tab
    (`=20`), 78 in all, so those few lines are broken again."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode()
    lines = binascii.b2a_qp(data, quotetabs=False, istext=True).split(b"\n")
    return b"\r\n".join(wrap(line) if len(line) > 76 else line for line in lines)


def wrap(line: bytes) -> bytes:
    """An encoded line in pieces of at most 76 characters, joined by soft line breaks, never
    cut inside an `=XX`."""
    pieces = []
    while len(line) > 76:
        cut = 75
        while b"=" in line[cut - 2 : cut]:
            cut -= 1
        pieces.append(line[:cut] + b"=")
        line = line[cut:]
    return b"\r\n".join([*pieces, line])


def soft_line_end(encoded: bytes) -> bytes:
    """Quoted-printable text that the next piece may follow on a line of its own: its last
    line ends in a soft line break (`=`), within 76 characters."""
    if not encoded or encoded.endswith(b"\r\n"):
        return encoded
    start = encoded.rfind(b"\r\n") + 2 if b"\r\n" in encoded else 0
    # A full last line of 76 characters is broken first, to make room for the `=`.
    return encoded[:start] + wrap(encoded[start:] + b"=") + b"\r\n"
