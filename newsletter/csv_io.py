"""Subscribers in and out of CSV files (the admin's import and export)."""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from newsletter.forms import CONTROL, validate_deliverable
from newsletter.models import Subscriber, normalize_email

MAX_ROWS = 100_000
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}
NAME_HEADERS = {"name", "full name", "first name", "firstname", "display name"}
DATE_HEADERS = {
    "subscribed",
    "subscribed at",
    "subscribed_at",
    "subscribed date",
    "date",
    "signup date",
    "created",
    "created_at",
    "confirmed_at",
    "subscribed since",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CSVFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class Problem:
    line: int
    value: str
    reason: str


@dataclass
class ImportReport:
    added: int = 0
    skipped: list[Problem] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    consented: bool = False
    confirmation_ids: list[int] = field(default_factory=list)


@dataclass
class Row:
    line: int
    email: str
    name: str
    date: datetime.datetime | None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CSVFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
        ) from error


def _reader(text: str) -> Iterator[list[str]]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


def _columns(first: list[str]) -> tuple[dict[str, int], bool]:
    """Column positions, and whether the first row was a header."""
    names = [cell.strip().lower() for cell in first]
    if any(name in EMAIL_HEADERS for name in names):
        columns = {}
        for index, name in enumerate(names):
            for key, known in (("email", EMAIL_HEADERS), ("name", NAME_HEADERS)):
                if name in known:
                    columns.setdefault(key, index)
            if name in DATE_HEADERS:
                columns.setdefault("date", index)
        return columns, True
    return {"email": 0, "name": 1, "date": 2}, False


def _unformula(value: str) -> str:
    """Undo the quote our export puts before values a spreadsheet would run."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(cells):
        return ""
    return _unformula(cells[index].strip())


def _parse_date(value: str) -> datetime.datetime:
    value = value.strip()
    parsed = parse_datetime(value.replace("/", "-")) or None
    if parsed is None:
        day = parse_date(value.replace("/", "-"))
        if day is None:
            raise ValueError
        parsed = datetime.datetime.combine(day, datetime.time(12))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse(data: bytes, report: ImportReport) -> list[Row]:
    """Rows worth importing; every other line lands in the report with its reason."""
    rows: list[Row] = []
    seen: dict[str, int] = {}
    reader = _reader(_decode(data))
    columns = None
    for number, cells in enumerate(reader, start=1):
        if columns is None:
            columns, header = _columns(cells)
            if header:
                continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(report.rejected) + len(report.skipped) >= MAX_ROWS:
            raise CSVFileError(f"More than {MAX_ROWS:,} rows: split the file into parts.")
        raw_email = _cell(cells, columns, "email")
        email = normalize_email(raw_email)
        if not email:
            report.rejected.append(Problem(number, ",".join(cells)[:200], "no email address"))
            continue
        try:
            if len(email) > 254:
                raise ValidationError("longer than 254 characters")
            validate_email(email)
            validate_deliverable(email)
        except ValidationError as error:
            reason = "not a valid email address"
            if error.messages and "254" in error.messages[0]:
                reason = "address longer than 254 characters"
            report.rejected.append(Problem(number, raw_email[:200], reason))
            continue
        name = _cell(cells, columns, "name")
        if len(name) > 100 or CONTROL.search(name):
            report.rejected.append(
                Problem(number, email, "name longer than 100 characters or not plain text")
            )
            continue
        date = None
        if raw_date := _cell(cells, columns, "date"):
            try:
                date = _parse_date(raw_date)
            except ValueError:
                reason = f"date “{raw_date[:40]}” not understood (use YYYY-MM-DD)"
                report.rejected.append(Problem(number, email, reason))
                continue
            if date > timezone.now() + datetime.timedelta(days=1):
                report.rejected.append(Problem(number, email, "subscribed date in the future"))
                continue
        key = email.lower()
        if key in seen:
            report.skipped.append(Problem(number, email, f"also on line {seen[key]} of the file"))
            continue
        seen[key] = number
        rows.append(Row(number, email, name, date))
    return rows


def import_subscribers(data: bytes, *, consented: bool, source: str = "import") -> ImportReport:
    """Add the file's new addresses: active when `consented`, otherwise pending (the
    caller sends their confirmation emails: report.confirmation_ids). Addresses already
    on the list are skipped, whatever their status (an unsubscribed person stays so)."""
    report = ImportReport(consented=consented)
    rows = parse(data, report)
    existing: dict[str, str] = {}
    keys = [row.email.lower() for row in rows]
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        existing.update(
            Subscriber.objects.annotate(address=Lower("email"))
            .filter(address__in=chunk)
            .values_list("address", "status")
        )
    now = timezone.now()
    new = []
    for row in rows:
        status = existing.get(row.email.lower())
        if status:
            label = Subscriber.Status(status).label.lower()
            report.skipped.append(Problem(row.line, row.email, f"already on the list ({label})"))
            continue
        new.append(
            Subscriber(
                email=row.email,
                name=row.name,
                source=source,
                status=Subscriber.Status.ACTIVE if consented else Subscriber.Status.PENDING,
                confirmed_at=(row.date or now) if consented else None,
                confirmation_sent_at=None if consented else now,
            )
        )
    with transaction.atomic():
        created = Subscriber.objects.create_many(new)
    report.added = len(created)
    report.skipped.sort(key=lambda problem: problem.line)
    if not consented:
        report.confirmation_ids = [s.pk for s in created]
    return report


EXPORT_FIELDS = [
    "email",
    "name",
    "status",
    "source",
    "confirmed_at",
    "created_at",
    "unsubscribed_at",
]


class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    """Quote values a spreadsheet would run as a formula (names come from strangers)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_rows(queryset) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for values in queryset.order_by("pk").values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
        yield writer.writerow([_safe(v) for v in values])
