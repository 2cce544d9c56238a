"""The chronology: entries are added, amended with history, retracted with a reason, never
silently overwritten; filtered and paged newest first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.cases import services
from roundtable.cases.models import ChronologyEntry, EntryRevision
from roundtable.core.conflicts import EditConflict
from tests.conftest import force_sign_in
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def _entry_form(**overrides):
    now = timezone.localtime()
    return {
        "kind": "home_visit",
        "summary": "Home visit completed",
        "body": "Mum was at home.",
        "occurred_date": now.date().isoformat(),
        "occurred_time": now.strftime("%H:%M"),
        **overrides,
    }


def test_a_contributor_adds_an_entry_stamped_with_author_organisation_and_times(client, team):
    force_sign_in(client, team["contributor"])
    response = client.post(reverse("cases:entry_create", args=[team["case"].pk]), _entry_form())
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(summary="Home visit completed")
    assert entry.author == team["contributor"] and entry.organisation.name == "Northshire Police"
    assert entry.recorded_at is not None
    assert AuditEvent.objects.filter(action="entry.recorded", case_id=team["case"].pk).exists()


def test_an_entry_in_the_future_is_refused_with_a_clear_message_and_the_text_kept(client, team):
    force_sign_in(client, team["owner"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("cases:entry_create", args=[team["case"].pk]), _entry_form(occurred_date=tomorrow))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date and time it happened must be now or in the past" in page
    assert "Mum was at home." in page
    assert not ChronologyEntry.objects.exists()


def test_a_viewer_cannot_add_entries(client, team):
    force_sign_in(client, team["viewer"])
    assert client.get(reverse("cases:entry_create", args=[team["case"].pk])).status_code == 404


def test_an_amendment_keeps_the_earlier_text_in_the_entrys_history(client, team):
    entry = EntryFactory(case=team["case"], author=team["owner"], summary="Visit on Monday", body="First account")
    force_sign_in(client, team["owner"])
    url = reverse("cases:entry_amend", kwargs={"pk": team["case"].pk, "entry_pk": entry.pk})
    local = timezone.localtime(entry.occurred_at)
    response = client.post(
        url,
        {
            "kind": "note", "summary": "Visit on Tuesday", "body": "Corrected account",
            "occurred_date": local.date().isoformat(), "occurred_time": local.strftime("%H:%M"),
            "reason": "Wrong day", "version": 1,
        },
    )  # fmt: skip
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.summary, entry.version) == ("Visit on Tuesday", 2)
    revision = EntryRevision.objects.get(entry=entry)
    assert (revision.summary, revision.body, revision.reason) == ("Visit on Monday", "First account", "Wrong day")
    history = client.get(reverse("cases:entry_detail", kwargs={"pk": team["case"].pk, "entry_pk": entry.pk}))
    assert "Visit on Monday" in history.content.decode() and "Wrong day" in history.content.decode()


def test_only_the_author_may_amend(client, team):
    entry = EntryFactory(case=team["case"], author=team["contributor"])
    force_sign_in(client, team["owner"])
    url = reverse("cases:entry_amend", kwargs={"pk": team["case"].pk, "entry_pk": entry.pk})
    assert client.get(url).status_code == 404


def test_a_second_save_gets_a_conflict_showing_what_changed_and_keeping_their_text(client, team):
    entry = EntryFactory(case=team["case"], author=team["owner"], summary="Original")
    services.do_amend_entry(
        team["owner"], entry, expected_version=1, summary="Saved in another tab", body="", occurred_at=entry.occurred_at
    )
    force_sign_in(client, team["owner"])
    local = timezone.localtime(entry.occurred_at)
    response = client.post(
        reverse("cases:entry_amend", kwargs={"pk": team["case"].pk, "entry_pk": entry.pk}),
        {
            "kind": "note", "summary": "My careful rewrite", "body": "Long text I must not lose",
            "occurred_date": local.date().isoformat(), "occurred_time": local.strftime("%H:%M"), "version": 1,
        },
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this entry while you were editing it" in page
    assert "Saved in another tab" in page and "Long text I must not lose" in page
    entry.refresh_from_db()
    assert entry.summary == "Saved in another tab"
    assert 'name="version" value="2"' in page  # re-saving now applies their text deliberately


def test_the_amend_service_raises_a_conflict_and_writes_no_revision(team):
    entry = EntryFactory(case=team["case"], author=team["owner"], summary="Original")
    services.do_amend_entry(
        team["owner"], entry, expected_version=1, summary="B", body="", occurred_at=entry.occurred_at
    )
    with pytest.raises(EditConflict) as conflict:
        services.do_amend_entry(
            team["owner"], entry, expected_version=1, summary="C", body="", occurred_at=entry.occurred_at
        )
    assert [c.field for c in conflict.value.conflicts] == ["summary"]
    assert EntryRevision.objects.filter(entry=entry).count() == 1


def test_the_api_answers_409_on_a_stale_version(client, team):
    entry = EntryFactory(case=team["case"], author=team["owner"], summary="Original")
    services.do_amend_entry(
        team["owner"], entry, expected_version=1, summary="B", body="", occurred_at=entry.occurred_at
    )
    _, raw = do_create_token(team["owner"], name="t", days=1)
    response = client.post(
        f"/api/v1/cases/{team['case'].pk}/entries/{entry.pk}/amend",
        {"version": 1, "summary": "C", "occurred_at": entry.occurred_at.isoformat()},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 409
    assert response.json()["current"]["summary"] == "B"
    assert response.json()["conflicts"][0] == {"field": "summary", "theirs": "B", "yours": "C"}


def test_a_retraction_hides_the_text_behind_the_reason_and_keeps_it_in_history(client, team):
    entry = EntryFactory(case=team["case"], author=team["contributor"], summary="Wrong case note", body="Oops")
    force_sign_in(client, team["owner"])  # an owner of the case may retract anyone's entry
    url = reverse("cases:entry_retract", kwargs={"pk": team["case"].pk, "entry_pk": entry.pk})
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert client.post(url, {"reason": "Recorded on the wrong case"}).status_code == 302
    force_sign_in(client, team["viewer"])
    page = client.get(reverse("cases:chronology", args=[team["case"].pk])).content.decode()
    assert "by Olga Owner: Recorded on the wrong case" in page
    assert "Wrong case note" not in page
    detail = client.get(reverse("cases:entry_detail", kwargs={"pk": team["case"].pk, "entry_pk": entry.pk}))
    assert "Wrong case note" in detail.content.decode()  # the original, in its history
    assert ChronologyEntry.objects.filter(pk=entry.pk).exists()


def test_a_contributor_cannot_retract_someone_elses_entry(team):
    from django.core.exceptions import PermissionDenied

    entry = EntryFactory(case=team["case"], author=team["owner"])
    with pytest.raises(PermissionDenied):
        services.do_retract_entry(team["contributor"], entry, reason="Not mine")


# --- Filters and paging ----------------------------------------------------------------------------
@pytest.fixture
def mixed(team):
    now = timezone.now()
    return {
        "call": EntryFactory(case=team["case"], kind="phone_call", summary="Call about school", author=team["owner"],
                             occurred_at=now - timedelta(days=10)),
        "visit": EntryFactory(case=team["case"], kind="home_visit", summary="Police visit",
                              author=team["contributor"], occurred_at=now - timedelta(days=2)),
    }  # fmt: skip


def _chronology(client, team, **params):
    return client.get(reverse("cases:chronology", args=[team["case"].pk]), params).content.decode()


def test_filtering_by_kind_organisation_author_and_date(client, team, mixed):
    force_sign_in(client, team["viewer"])
    by_kind = _chronology(client, team, kind="phone_call")
    assert "Call about school" in by_kind and "Police visit" not in by_kind
    by_org = _chronology(client, team, organisation=team["contributor"].organisation_id)
    assert "Police visit" in by_org and "Call about school" not in by_org
    by_author = _chronology(client, team, author=team["owner"].pk)
    assert "Call about school" in by_author and "Police visit" not in by_author
    since = (timezone.localdate() - timedelta(days=5)).isoformat()
    by_date = _chronology(client, team, date_from=since)
    assert "Police visit" in by_date and "Call about school" not in by_date


def test_a_backwards_date_range_gets_a_clear_error(client, team, mixed):
    force_sign_in(client, team["viewer"])
    page = _chronology(client, team, date_from="2026-03-10", date_to="2026-03-01")
    assert "must be the same as or after" in page


def test_the_chronology_pages_newest_first_with_older_and_newer_links(client, team):
    now = timezone.now()
    for n in range(30):
        EntryFactory(case=team["case"], summary=f"Entry number {n:02d}", occurred_at=now - timedelta(hours=n))
    force_sign_in(client, team["owner"])
    first = client.get(reverse("cases:chronology", args=[team["case"].pk]))
    entries = first.context["page"].entries
    assert [e.summary for e in entries[:2]] == ["Entry number 00", "Entry number 01"] and len(entries) == 25
    older = client.get(
        reverse("cases:chronology", args=[team["case"].pk]), {"before": first.context["page"].older_cursor}
    )
    assert [e.summary for e in older.context["page"].entries] == [f"Entry number {n}" for n in range(25, 30)]
    newer = client.get(
        reverse("cases:chronology", args=[team["case"].pk]), {"after": older.context["page"].newer_cursor}
    )
    assert [e.summary for e in newer.context["page"].entries] == [e.summary for e in entries]


def test_a_malformed_cursor_shows_the_first_page(client, team, mixed):
    force_sign_in(client, team["owner"])
    response = client.get(reverse("cases:chronology", args=[team["case"].pk]), {"before": "nonsense"})
    assert response.status_code == 200 and "Police visit" in response.content.decode()


def test_the_fragment_answers_204_when_the_entry_does_not_match_the_pages_filters(client, team, mixed):
    force_sign_in(client, team["viewer"])
    url = reverse("cases:entry_fragment", kwargs={"pk": team["case"].pk, "entry_pk": mixed["visit"].pk})
    assert client.get(url, {"kind": "phone_call"}).status_code == 204
    assert "Police visit" in client.get(url, {"kind": "home_visit"}).content.decode()


def test_the_api_lists_entries_with_filters_and_cursors(client, team, mixed):
    _, raw = do_create_token(team["viewer"], name="t", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.get(f"/api/v1/cases/{team['case'].pk}/entries?limit=1", headers=headers).json()
    assert [e["summary"] for e in body["items"]] == ["Police visit"]
    older = client.get(f"/api/v1/cases/{team['case'].pk}/entries?limit=1&before={body['older']}", headers=headers)
    assert [e["summary"] for e in older.json()["items"]] == ["Call about school"]
    kinds = client.get(f"/api/v1/cases/{team['case'].pk}/entries?kind=phone_call", headers=headers).json()
    assert [e["summary"] for e in kinds["items"]] == ["Call about school"]


def test_the_api_creates_an_entry_and_refuses_bad_input_with_422(client, team):
    _, raw = do_create_token(team["contributor"], name="t", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    url = f"/api/v1/cases/{team['case'].pk}/entries"
    good = {"kind": "phone_call", "summary": "Rang the school", "occurred_at": timezone.now().isoformat()}
    created = client.post(url, good, content_type="application/json", headers=headers)
    assert created.status_code == 201 and created.json()["summary"] == "Rang the school"
    future = {**good, "occurred_at": (timezone.now() + timedelta(days=1)).isoformat()}
    refused = client.post(url, future, content_type="application/json", headers=headers)
    assert refused.status_code == 422 and "now or in the past" in refused.json()["detail"]
    assert client.post(url, {"kind": "nonsense"}, content_type="application/json", headers=headers).status_code == 422
