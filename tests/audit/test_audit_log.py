import csv
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from roundtable.audit import triggers
from roundtable.audit.models import AuditEvent
from roundtable.audit.services import GENESIS_HASH, Pending, record, record_many, verify_chain
from roundtable.core.request_context import RequestInfo
from tests.conftest import force_sign_in
from tests.factories import UserFactory


@pytest.mark.django_db
def test_each_event_carries_the_hash_of_the_one_before():
    user = UserFactory()
    first = record(user, "thing.viewed", user)
    second = record(user, "thing.changed", user, before="a", after="b")
    assert first.previous_hash == GENESIS_HASH or AuditEvent.objects.filter(pk__lt=first.pk).exists()
    assert second.previous_hash == first.hash
    assert verify_chain().ok


@pytest.mark.django_db
def test_several_events_recorded_at_once_chain_in_order_each_with_its_own_origin():
    first, second = UserFactory(), UserFactory()
    before = record(first, "thing.changed", first)
    events = record_many([
        Pending(first, "thing.viewed", second, RequestInfo("req-1", "192.0.2.1", "Browser one"), case_id=7),
        Pending(second, "thing.viewed", second, RequestInfo("req-2", "192.0.2.2", "Browser two"), details={"item": 3}),
    ])  # fmt: skip
    stored = list(AuditEvent.objects.filter(pk__gt=before.pk).order_by("pk"))
    assert [e.hash for e in stored] == [e.hash for e in events]
    assert stored[0].previous_hash == before.hash and stored[1].previous_hash == stored[0].hash
    assert (stored[0].actor_id, stored[0].ip_address, stored[0].request_id, stored[0].case_id) == (
        first.pk, "192.0.2.1", "req-1", 7
    )  # fmt: skip
    assert (stored[1].user_agent, stored[1].details) == ("Browser two", {"item": 3})
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_event_records_who_what_and_the_organisation():
    user = UserFactory()
    event = record(user, "user.viewed", user, reason="checking")
    assert event.actor_id == user.pk
    assert event.actor_label == user.email
    assert event.organisation_id == user.organisation_id
    assert event.object_type == "accounts.user"
    assert event.object_id == str(user.pk)
    assert event.reason == "checking"


@pytest.mark.django_db
def test_a_request_gives_its_events_an_ip_user_agent_and_request_id(client):
    user = UserFactory()
    force_sign_in(client, user)
    response = client.get("/account/sign-out-everywhere/", HTTP_USER_AGENT="TestBrowser/1.0")  # GET not allowed
    assert response.status_code == 405
    client.post("/account/sign-out-everywhere/", HTTP_USER_AGENT="TestBrowser/1.0")
    event = AuditEvent.objects.get(action="user.signed_out_everywhere")
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == "TestBrowser/1.0"
    assert len(event.request_id) == 32


@pytest.mark.django_db
def test_the_database_refuses_to_update_an_event():
    event = record(None, "thing.happened", actor_label="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")


@pytest.mark.django_db
def test_the_database_refuses_to_delete_an_event():
    event = record(None, "thing.happened", actor_label="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")


@pytest.mark.django_db
def test_verification_finds_a_row_changed_behind_the_triggers_back():
    for number in range(5):
        record(None, "thing.happened", actor_label=f"person{number}")
    target = AuditEvent.objects.order_by("id")[2]
    triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["someone-else", target.pk])
    finally:
        triggers.install(connection)
    report = verify_chain()
    assert report.broken_at == target.pk
    assert "content" in report.problem
    with pytest.raises(CommandError, match=f"broken at event {target.pk}"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_verification_finds_a_deleted_row():
    for number in range(4):
        record(None, "thing.happened", actor_label=f"person{number}")
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[1]])
    finally:
        triggers.install(connection)
    assert verify_chain().broken_at == ids[2]


@pytest.mark.django_db
def test_audit_verify_reports_an_intact_chain():
    record(None, "thing.happened", actor_label="x")
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "Audit chain intact" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the advisory lock is PostgreSQL's")
    barrier = threading.Barrier(8)
    errors = []

    def writer(number):
        try:
            barrier.wait()
            for step in range(10):
                record(None, "thing.happened", actor_label=f"writer{number}-{step}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.count() >= 80
    assert AuditEvent.objects.values("previous_hash").distinct().count() == AuditEvent.objects.count()
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_auditor_can_filter_and_export_events_as_csv(client, cast):
    record(cast["practitioner"], "user.viewed", cast["practitioner"])
    record(cast["panel_chair"], "user.viewed", cast["panel_chair"])
    force_sign_in(client, cast["auditor"])
    page = client.get("/audit/", {"user": cast["practitioner"].email}).content.decode()
    assert cast["practitioner"].email in page
    assert cast["panel_chair"].email not in page
    response = client.get("/audit/export.csv", {"user": cast["practitioner"].email})
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows and all(row["actor_label"] == cast["practitioner"].email for row in rows)
    assert AuditEvent.objects.filter(action="audit.exported", actor_id=cast["auditor"].pk).exists()


@pytest.mark.django_db
def test_the_auditor_sees_nothing_from_another_area(client, cast):
    record(cast["other_org_practitioner"], "user.viewed", cast["other_org_practitioner"])
    force_sign_in(client, cast["auditor"])
    page = client.get("/audit/").content.decode()
    assert cast["other_org_practitioner"].email not in page


@pytest.mark.django_db
def test_a_date_range_the_wrong_way_round_gets_a_clear_error(client, cast):
    force_sign_in(client, cast["auditor"])
    page = client.get("/audit/", {"date_from": "2026-03-10", "date_to": "2026-03-01"}).content.decode()
    assert "must be the same as or after" in page


@pytest.mark.django_db
def test_csv_export_neutralises_spreadsheet_formulas(client, cast):
    record(None, "sign_in.failed", actor_label="=HYPERLINK(evil)")
    force_sign_in(client, cast["auditor"])
    response = client.get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(evil)" in body


@pytest.mark.django_db
@pytest.mark.parametrize("events", [10, 200])
def test_the_audit_page_runs_a_fixed_number_of_queries(client, cast, events, django_assert_max_num_queries):
    for number in range(events):
        record(cast["practitioner"], "user.viewed", cast["practitioner"], n=number)
    force_sign_in(client, cast["auditor"])
    with django_assert_max_num_queries(14):
        assert client.get("/audit/").status_code == 200
