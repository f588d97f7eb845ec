"""Helpers shared by the search tests."""

import pytest
from django.db import connection
from django.urls import reverse

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL full-text search (weights, stemming, ts_headline, GIN); "
    "SQLite uses the icontains fallback",
)


def search(client, **params):
    response = client.get(reverse("home:search"), params)
    assert response.status_code == 200
    return response


def found(client, q, **params) -> list[str]:
    response = search(client, q=q, **params)
    return [result.entry.title for result in response.context["results"] or []]
