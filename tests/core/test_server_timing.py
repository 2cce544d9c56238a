"""The Server-Timing header (roundtable/core/timing.py) that bench/pages.py reads: off unless
SERVER_TIMING is on, and when on it counts exactly the queries the request ran."""

import re

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext

from tests.conftest import force_sign_in
from tests.factories import UserFactory

HEADER = re.compile(r'^app;dur=(?P<app>[\d.]+), db;dur=(?P<db>[\d.]+), q;desc="(?P<q>\d+)", cpu;dur=(?P<cpu>[\d.]+)$')


def _figures(response) -> dict:
    match = HEADER.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return {"app": float(match["app"]), "db": float(match["db"]), "q": int(match["q"]), "cpu": float(match["cpu"])}


@pytest.mark.django_db
def test_no_server_timing_header_unless_it_is_turned_on(client, organisation):
    force_sign_in(client, UserFactory(organisation=organisation))
    response = client.get("/")
    assert response.status_code == 200
    assert "Server-Timing" not in response


@pytest.mark.django_db
def test_server_timing_counts_every_query_of_a_signed_in_page(client, settings, organisation):
    settings.SERVER_TIMING = True
    force_sign_in(client, UserFactory(organisation=organisation))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    figures = _figures(response)
    # Session, user, page and audit write: the header saw the same queries the test did.
    assert figures["q"] == len(queries) > 3
    assert 0 < figures["db"] <= figures["app"]
    assert 0 < figures["cpu"] <= figures["app"] + 1  # thread CPU cannot outrun the wall clock


@pytest.mark.django_db(transaction=True)
def test_server_timing_under_asgi_sees_the_queries_run_in_the_worker_thread(settings):
    # Through Django's ASGI handler, as uvicorn serves it: the synchronous stack runs in a
    # worker thread with its own database connection, and the wrapper must be on that one.
    settings.SERVER_TIMING = True
    response = async_to_sync(AsyncClient().get)("/healthz")
    assert response.status_code == 200
    assert _figures(response)["q"] == 1  # the health check's SELECT 1
