"""The pages `make bench` measures run the same number of queries however much data there is.

Issue 7 asks that queries per page stay flat from small to national scale; bench/pages.py
reports them from Server-Timing at both. This proves it in the suite at small sizes: the
scale-data generator's `tiny` scale and one three times larger, the same users and pages
(the page list is bench/pages.py's own), and each page's query count compared. A page that
grows a query per row, per case or per task fails here before a benchmark ever runs.
"""

import importlib.util
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.accounts.models import User
from roundtable.datagen import run
from roundtable.datagen.scales import SCALES
from tests.conftest import force_sign_in

ROOT = Path(__file__).resolve().parents[2]
SEED = 2026


def _bench():
    spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def _tripled(scale):
    grow = ("people", "cases", "entries", "tasks", "inforequests", "audit_events", "huge_case_entries")
    return replace(scale, name=f"{scale.name}_x3", **{name: getattr(scale, name) * 3 for name in grow})


def _query_counts(client, manifest) -> dict:
    """Queries per bench page, from the second visit (the first may fill caches)."""
    counts = {}
    for page in bench.pages_for(manifest):
        force_sign_in(client, User.objects.get(email=manifest["users"][page.user]))
        path, _ = page.path(0)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        answer = bench.Response(response.status_code, {k.lower(): v for k, v in response.items()}, {},
                                response.content, 0.0)  # fmt: skip
        problem = bench.check(page, 0, answer)
        assert problem is None, f"{page.key} ({path}): {problem}"
        assert bench.sample(page, 0, 0, answer).queries == len(queries), "Server-Timing counts what ran"
        counts[page.key] = len(queries)
    return counts


@pytest.mark.django_db(transaction=True)
def test_bench_pages_run_the_same_queries_at_three_times_the_data(client, settings, monkeypatch):
    settings.SERVER_TIMING = True  # the bench's own check wants the header
    tiny = SCALES["tiny"]
    monkeypatch.setitem(SCALES, "tiny_x3", _tripled(tiny))

    small_manifest, _ = run.generate("tiny", SEED, log=lambda line: None)
    small = _query_counts(client, small_manifest)
    call_command("flush", interactive=False, verbosity=0)
    large_manifest, _ = run.generate("tiny_x3", SEED, log=lambda line: None)
    large = _query_counts(client, large_manifest)

    assert large_manifest["counts"]["cases_chronologyentry"] > 2 * small_manifest["counts"]["cases_chronologyentry"]
    assert set(small) == {page.key for page in bench.pages_for(small_manifest)} and len(small) >= 10
    assert large == small
