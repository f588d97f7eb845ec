"""Model instances built from a few columns read elsewhere (a JSON object in another row,
a `values_list` row), as if the ORM had loaded them with `only()`.

`Model(id=…, title=…)` would be an unsaved instance whose other fields hold their defaults,
so a template reading one more field would show a default without anyone noticing. Built
through `Model.from_db`, every field not given is deferred: reading it costs a query, which
the exact query counts of tests/test_query_budget.py catch.
"""

from django.db import router


def partial_instance(model, values: dict):
    """A saved `model` instance with only `values` (attribute names, the primary key among
    them) loaded; every other field is deferred. `values` may come in any order (PostgreSQL
    sorts a jsonb object's keys): from_db takes them in the model's field order."""
    unknown = set(values) - {field.attname for field in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(router.db_for_read(model), names, [values[name] for name in names])
