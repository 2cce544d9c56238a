"""Case references are unique even when cases are opened at the same moment."""

import threading

import pytest
from django.db import connection, connections, transaction

from roundtable.cases.services import next_reference
from tests.factories import AreaFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
def test_concurrent_case_openings_never_share_a_reference():
    area = AreaFactory(name="Northshire")
    references, errors = [], []
    start = threading.Barrier(8)

    def open_cases():
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    references.append(next_reference(area, year=2026))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_cases) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(references) == 80 and len(set(references)) == 80
    assert max(references) == "NS-2026-000080"
