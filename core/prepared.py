"""Reader queries compiled to SQL once per process and run again with new values.

Building and compiling a queryset with subqueries or a UNION costs Django more time than
PostgreSQL takes to answer it (a millisecond against a fraction of one). For the few such
queries every page view runs, `PreparedQuery` asks the ORM for the SQL once, with marker
values in place of the arguments, and afterwards only swaps the real values into the
parameters. With server-side binding (config/settings.py) the SQL text is then identical on
every request, so PostgreSQL also keeps its plan.

The queryset is still written with the ORM (and `published(now=...)`), so it stays readable
and portable; only its compilation is remembered.
"""

import functools
import itertools
import json
from datetime import UTC, datetime, timedelta

from django.db import connection

_counter = itertools.count(1)


def json_value(value):
    """A JSON column of a `raw()` row (an annotated `JSONObject`) as Python: raw() applies
    no output field, and SQLite hands the JSON over as text where psycopg decodes it."""
    return json.loads(value) if isinstance(value, str) else value


class Mark:
    """A placeholder argument: a value no real query uses, of the argument's type."""

    def __init__(self, kind: type):
        number = next(_counter)
        if kind is datetime:
            self.value = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(microseconds=number)
        elif kind is int:
            self.value = -number
        elif kind is str:
            self.value = f"\x00mark-{number}"
        else:
            raise TypeError(f"no marker for {kind}")

    def adapted(self):
        if isinstance(self.value, datetime):
            return connection.ops.adapt_datetimefield_value(self.value)
        return self.value


class PreparedQuery:
    """`build(*values)` returns a queryset; `PreparedQuery(build, datetime, int).sql(now, 7)`
    gives its SQL and parameters for those values, compiling only on the first call per
    database vendor and shape. A list argument (kind `list`, of ints) compiles once per
    length; `shape=` passes anything else the SQL text depends on (slicing bounds, which
    are written into the SQL) to `build(*values, shape=shape)`.

    Every value must reach the SQL as a parameter (filters do; slicing bounds do not)."""

    def __init__(self, build, *kinds: type):
        self.build = build
        self.kinds = kinds

    # Bounded: the shape may come from the request (a page number).
    @functools.lru_cache(maxsize=512)  # noqa: B019 (module-level instances, process-long)
    def _compiled(self, vendor: str, lengths: tuple, shape) -> tuple[str, list, list]:
        lengths_left = iter(lengths)
        marks = [
            [Mark(int) for _ in range(next(lengths_left))] if kind is list else Mark(kind)
            for kind in self.kinds
        ]
        values = [
            [m.value for m in mark] if isinstance(mark, list) else mark.value for mark in marks
        ]
        queryset = self.build(*values) if shape is None else self.build(*values, shape=shape)
        sql, params = queryset.query.sql_with_params()
        flat = [m for mark in marks for m in (mark if isinstance(mark, list) else [mark])]
        positions = []
        for mark in flat:
            adapted = mark.adapted()
            found = [i for i, param in enumerate(params) if param == adapted]
            if not found:
                raise ValueError("an argument did not reach the SQL as a parameter")
            positions.append(found)
        return sql, list(params), positions

    def sql(self, *values, shape=None) -> tuple[str, list]:
        lengths = tuple(len(v) for v, k in zip(values, self.kinds, strict=True) if k is list)
        sql, params, positions = self._compiled(connection.vendor, lengths, shape)
        params = list(params)
        flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
        for value, places in zip(flat, positions, strict=True):
            if isinstance(value, datetime):
                value = connection.ops.adapt_datetimefield_value(value)
            for place in places:
                params[place] = value
        return sql, params

    def rows(self, *values, shape=None) -> list[tuple]:
        sql, params = self.sql(*values, shape=shape)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def objects(self, model, *values, shape=None) -> list:
        """Model instances (annotated columns become attributes), through `raw()`, which
        applies the fields' converters (SQLite's dates, for one)."""
        sql, params = self.sql(*values, shape=shape)
        return list(model.objects.raw(sql, params))
