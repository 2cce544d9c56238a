"""The scale-data generator (issue 7): reproducible, valid for the access policy and the
audit chain, skewed like real case work, and loadable by the pages the benchmark visits.
Runs the ``tiny`` scale on whichever database the suite uses (SQLite or PostgreSQL)."""

import hashlib
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from roundtable.access import policy
from roundtable.accounts.models import User
from roundtable.audit.models import AuditEvent
from roundtable.audit.services import verify_chain
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.datagen.run import LOADED_MODELS, NotEmpty, generate
from roundtable.datagen.scales import SCALES
from roundtable.people.models import Person
from tests.conftest import force_sign_in
from tests.factories import UserFactory

TODAY = date(2026, 3, 2)
TINY = SCALES["tiny"]


class _Rollback(Exception):
    pass


def _fingerprint() -> dict[str, str]:
    """A digest of every generated row, table by table."""
    digests = {}
    for model in LOADED_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = model.objects.order_by("pk").values_list(*fields)
        digest = hashlib.sha256()
        for row in rows.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
        digests[model._meta.db_table] = digest.hexdigest()
    return digests


def _generate(seed=7):
    manifest, _lines = generate("tiny", seed, TODAY, log=lambda *_: None)
    return manifest


@pytest.fixture
def tiny(db):
    return _generate()


@pytest.mark.django_db
def test_the_same_seed_and_day_give_the_same_rows_and_another_seed_does_not():
    runs = []
    for seed in (7, 7, 8):
        try:
            with transaction.atomic():
                _generate(seed)
                runs.append(_fingerprint())
                raise _Rollback
        except _Rollback:
            pass
    assert runs[0] == runs[1]
    assert runs[0]["people_person"] != runs[2]["people_person"]
    assert runs[0]["cases_chronologyentry"] != runs[2]["cases_chronologyentry"]


def test_generation_refuses_a_database_that_already_holds_data(db):
    UserFactory()
    with pytest.raises(NotEmpty, match="empty, migrated database"):
        _generate()


def test_the_scale_sets_how_many_rows_there_are(tiny):
    assert Person.objects.count() == TINY.people
    assert Case.objects.count() == TINY.cases
    assert tiny["counts"]["cases_case"] == TINY.cases
    # Entry counts are drawn per case, so the total lands near the target, not on it.
    assert abs(ChronologyEntry.objects.count() - TINY.entries) < TINY.entries * 0.25
    assert abs(AuditEvent.objects.count() - TINY.audit_events) < TINY.audit_events * 0.25


def test_manifest_users_see_the_manifest_cases_through_the_access_policy(tiny):
    users = {name: User.objects.get(email=email) for name, email in tiny["users"].items()}

    def sees(who, pk):
        return policy.visible(users[who], Case.objects.filter(pk=pk)).exists()

    assert sees("practitioner", tiny["cases"]["huge"])
    assert sees("practitioner", tiny["cases"]["typical"])
    assert sees("chair", tiny["inforequest_case"])
    assert sees("prevent_officer", tiny["inforequest_case"])
    # Need to know still holds: someone from the other area sees none of these.
    outsider = User.objects.exclude(organisation__area=users["practitioner"].organisation.area).first()
    assert not policy.visible(
        outsider, Case.objects.filter(pk__in=[tiny["cases"]["huge"], tiny["inforequest_case"]])
    ).exists()


def test_the_practitioner_has_a_realistic_caseload_and_the_prevent_officer_sees_their_area(tiny):
    practitioner = User.objects.get(email=tiny["users"]["practitioner"])
    officer = User.objects.get(email=tiny["users"]["prevent_officer"])
    assert 5 <= policy.visible(practitioner, Case.objects.all()).count() <= 60
    area_channel = Case.objects.filter(kind=Case.Kind.CHANNEL, area=officer.organisation.area)
    assert area_channel.count() > 1
    assert policy.visible(officer, area_channel).count() == area_channel.count()
    assert officer.prevent_teams.exists()


def test_the_audit_chain_of_generated_events_verifies(tiny):
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == AuditEvent.objects.count() > TINY.audit_events / 2
    call_command("audit_verify")


def test_case_load_is_skewed_and_the_huge_case_has_the_most_entries(tiny):
    busiest = Person.objects.annotate(n=Count("cases")).order_by("-n").first()
    assert busiest.n >= 5
    assert Person.objects.annotate(n=Count("cases")).filter(n=1).count() > TINY.people * 0.4
    top = Case.objects.annotate(n=Count("entries")).order_by("-n").values_list("pk", "n").first()
    assert top == (tiny["cases"]["huge"], TINY.huge_case_entries)


def test_the_search_entry_finds_its_person_despite_the_typing_slip(tiny):
    entry = tiny["search"][0]
    typed, given = entry["params"]["given_name"], entry["params"]["family_name"]
    person = Person.objects.get(pk=entry["expect_person"])
    assert person.given_name == given and person.family_name != typed
    from roundtable.people.matching import Criteria, find_matches

    assert entry["expect_person"] in [m.person_id for m in find_matches(Criteria(given_name=typed, family_name=given))]


def test_the_pages_the_benchmark_visits_open_for_the_manifest_users(tiny, client):
    users = {name: User.objects.get(email=email) for name, email in tiny["users"].items()}
    force_sign_in(client, users["practitioner"])
    for url in (
        reverse("core:home"),
        reverse("cases:list"),
        reverse("cases:detail", args=[tiny["cases"]["huge"]]),
        reverse("cases:chronology", args=[tiny["cases"]["huge"]]),
        reverse("cases:chronology", args=[tiny["cases"]["typical"]]),
        reverse("people:search") + "?" + "&".join(f"{k}={v}" for k, v in tiny["search"][0]["params"].items()),
    ):
        assert client.get(url).status_code == 200, url
    client.logout()
    force_sign_in(client, users["chair"])
    for url in (
        reverse("tasks:overdue"),
        reverse("inforequests:case_requests", args=[tiny["inforequest_case"]]),
        reverse("meetings:agenda", args=[tiny["meeting"]]),
        reverse("meetings:detail", args=[tiny["meeting"]]),
    ):
        assert client.get(url).status_code == 200, url
    client.logout()
    force_sign_in(client, users["prevent_officer"])
    for url in (reverse("channel:queue"), reverse("inforequests:case_requests", args=[tiny["inforequest_case"]])):
        assert client.get(url).status_code == 200, url


def test_the_command_writes_the_manifest(db, tmp_path):
    path = tmp_path / "tiny.json"
    call_command("generate_data", scale="tiny", seed=3, today=TODAY, manifest=str(path), no_migrate=True)
    manifest = json.loads(path.read_text())
    assert manifest["scale"] == "tiny" and manifest["seed"] == 3
    assert set(manifest["users"]) == {"practitioner", "chair", "prevent_officer", "admin"}
    assert manifest["counts"]["people_person"] == TINY.people
    # The load itself is audited, at the end of the chain.
    assert AuditEvent.objects.order_by("-id").first().action == "datagen.loaded"
    assert verify_chain().ok


def test_the_command_explains_a_database_that_is_not_empty(db, tmp_path):
    UserFactory()
    with pytest.raises(CommandError, match="empty, migrated database"):
        call_command("generate_data", scale="tiny", manifest=str(tmp_path / "x.json"), no_migrate=True)


def _schema_definitions() -> set:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace"
        )
        return indexes | set(cursor.fetchall())


def test_postgresql_gets_back_every_index_and_constraint_it_had_before_the_load(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("indexes are only deferred on PostgreSQL")
    before = _schema_definitions()
    _generate()
    assert _schema_definitions() == before
