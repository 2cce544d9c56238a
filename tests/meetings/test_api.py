"""The meetings API answers as the pages do: the agenda a reader may see, updates, attendance, actions."""

import pytest

from roundtable.api.services import do_create_token
from roundtable.meetings.models import Attendance, PreMeetingUpdate
from tests.factories import CaseFactory
from tests.meetings.factories import ItemFactory, publish

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _, raw = do_create_token(user, name="test", days=1)
    return {"Authorization": f"Bearer {raw}"}


def test_a_member_reads_the_published_agenda_without_cases_they_cannot_see(client, meeting, member, case, chair):
    ItemFactory(meeting=meeting, case=case, position=1)
    ItemFactory(meeting=meeting, kind="other_business", title="Training", position=2)
    response = client.get(f"/api/v1/meetings/{meeting.pk}", headers=bearer(member))
    assert response.json()["items"] == []  # not published yet: nothing of the agenda
    publish(meeting)
    body = client.get(f"/api/v1/meetings/{meeting.pk}", headers=bearer(member)).json()
    assert [(i["kind"], i["case_reference"]) for i in body["items"]] == [
        ("review", case.reference),
        ("other_business", None),
    ]
    assert body["hidden_items"] == 0


def test_a_member_adds_an_update_and_a_bad_one_gets_a_field_error(client, meeting, member, case):
    item = ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    url = f"/api/v1/meetings/items/{item.pk}/updates"
    bad = client.post(url, {"status": "open"}, content_type="application/json", headers=bearer(member))
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "stage"]
    good = client.post(url, {"status": "open", "stage": "Assessment"}, content_type="application/json",
                       headers=bearer(member))  # fmt: skip
    assert good.status_code == 201 and good.json()["organisation"] == member.organisation.name
    assert PreMeetingUpdate.objects.get().stage == "Assessment"
    assert [u["stage"] for u in client.get(url, headers=bearer(member)).json()] == ["Assessment"]


def test_an_outsider_gets_404_before_the_body_is_read(client, meeting, case, organisation):
    from tests.factories import UserFactory

    item = ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    outsider = UserFactory(organisation=organisation)
    response = client.post(f"/api/v1/meetings/items/{item.pk}/updates", "not json", content_type="application/json",
                           headers=bearer(outsider))  # fmt: skip
    assert response.status_code == 404


def test_the_chair_records_attendance_and_lists_actions(client, meeting, chair, member):
    response = client.post(f"/api/v1/meetings/{meeting.pk}/attendance", {"user_id": member.pk, "status": "apologies"},
                           content_type="application/json", headers=bearer(chair))  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == "apologies"
    assert Attendance.objects.get(user=member).status == "apologies"
    stranger = CaseFactory().owner
    response = client.post(f"/api/v1/meetings/{meeting.pk}/attendance", {"user_id": stranger.pk, "status": "present"},
                           content_type="application/json", headers=bearer(chair))  # fmt: skip
    assert response.status_code == 422
    assert client.get(f"/api/v1/meetings/{meeting.pk}/actions", headers=bearer(chair)).json() == []
