"""The information requests API: the same services and the same access policy as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roundtable.api.services import do_create_token
from roundtable.documents.samples import tiny_pdf
from roundtable.inforequests.models import InformationRequest, RequestRecipient
from roundtable.inforequests.services import do_answer_request
from tests.inforequests.conftest import send

pytestmark = pytest.mark.django_db

BASE = "/api/v1/information-requests"


def auth(user):
    _, raw = do_create_token(user, name="test", days=1)
    return {"Authorization": f"Bearer {raw}"}


def _body(world, **overrides):
    body = {
        "organisation_ids": [world["school"].pk],
        "user_emails": ["Nia@health.test"],
        "questions": ["hold_information"],
        "custom_questions": ["Is she known to your safeguarding team?"],
        "lawful_basis": "public_task",
        "consent_position": "given",
        "working_days": 3,
    }
    body.update(overrides)
    return body


def test_a_request_is_sent_and_returned_with_its_recipients(client, world):
    response = client.post(
        f"{BASE}/case/{world['case'].pk}", _body(world), content_type="application/json", headers=auth(world["officer"])
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["case_reference"] == world["case"].reference
    assert data["questions"] == ["Do you hold information on this person?", "Is she known to your safeguarding team?"]
    assert data["response_days"] == 3 and data["lawful_basis_label"] == "Public task"
    assert [(r["organisation"]["name"], (r["user"] or {}).get("full_name")) for r in data["recipients"]] == [
        ("Millford Academy", None),
        ("Northshire Health", "Nia Nurse"),
    ]


def test_problems_come_back_as_422_naming_each_field(client, world):
    body = _body(world, organisation_ids=[999999], user_emails=["ghost@nowhere.test"])
    response = client.post(
        f"{BASE}/case/{world['case'].pk}", body, content_type="application/json", headers=auth(world["officer"])
    )
    assert response.status_code == 422
    errors = {(e["loc"][-1], e["msg"]) for e in response.json()["errors"]}
    assert errors == {
        ("organisation_ids", "There is no organisation 999999"),
        ("user_emails", "Nobody with the e-mail address ghost@nowhere.test uses Roundtable"),
    }
    body = _body(world, lawful_basis="other", working_days=40, consent_position="refused")
    response = client.post(
        f"{BASE}/case/{world['case'].pk}", body, content_type="application/json", headers=auth(world["officer"])
    )
    fields = {e["loc"][-1] for e in response.json()["errors"]}
    assert fields == {"lawful_basis_detail", "consent_detail", "working_days"}
    assert not InformationRequest.objects.exists()


def test_someone_who_may_not_send_gets_404_before_the_body_is_read(client, world):
    for who in ("owner", "teacher", "colleague"):
        response = client.post(
            f"{BASE}/case/{world['case'].pk}", {"nonsense": True}, content_type="application/json",
            headers=auth(world[who]),
        )  # fmt: skip
        assert response.status_code == 404, who


def test_a_recipient_reads_their_part_without_the_case_and_answers_it(client, world):
    sent = send(world)
    headers = auth(world["teacher"])
    inbox = client.get(f"{BASE}/inbox", headers=headers).json()
    assert [item["recipient"]["request_id"] for item in inbox] == [sent.pk]
    assert inbox[0]["person"]["full_name"] == "Morwenna Quillfeather"
    data = client.get(f"{BASE}/{sent.pk}", headers=headers).json()
    assert data["case_id"] is None and data["case_reference"] is None
    assert [r["organisation"]["name"] for r in data["recipients"]] == ["Millford Academy"]
    recipient_id = data["recipients"][0]["id"]
    assert data["recipients"][0]["can_answer"] is True
    response = client.post(
        f"{BASE}/recipients/{recipient_id}/answer",
        {"outcome": "information_provided", "answer": "Attends; 71% this term.",
         "attachments": [SimpleUploadedFile("attendance.pdf", tiny_pdf())]},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200, response.content
    answered = response.json()
    assert (answered["status"], answered["outcome"], answered["can_answer"]) == (
        "answered",
        "information_provided",
        False,
    )
    download = client.get(answered["attachments"][0]["download_url"], headers=auth(world["officer"]))
    assert download.status_code == 200
    assert client.get(answered["attachments"][0]["download_url"], headers=auth(world["viewer"])).status_code == 404


def test_an_answer_needs_its_text_and_a_second_answer_is_refused(client, world):
    school = send(world).recipients.get(user__isnull=True)
    url = f"{BASE}/recipients/{school.pk}/answer"
    response = client.post(url, {"outcome": "information_provided"}, content_type="application/json",
                           headers=auth(world["teacher"]))  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "Enter the information you are providing"
    response = client.post(
        url, {"outcome": "not_known"}, content_type="application/json", headers=auth(world["teacher"])
    )
    assert response.status_code == 200
    response = client.post(url, {"outcome": "not_known"}, content_type="application/json", headers=auth(world["head"]))
    assert response.status_code == 404  # nothing left for them to answer


def test_members_see_that_an_answer_came_but_only_readers_see_what_it_said(client, world):
    sent = send(world)
    do_answer_request(
        world["teacher"], sent.recipients.get(user__isnull=True), outcome="nothing_relevant", answer="Checked."
    )
    viewer = client.get(f"{BASE}/case/{world['case'].pk}", headers=auth(world["viewer"])).json()
    school = viewer[0]["recipients"][0]
    assert (school["status"], school["answer_visible"], school["outcome"], school["answer"]) == (
        "answered", False, None, None,
    )  # fmt: skip
    chair = client.get(f"{BASE}/{sent.pk}", headers=auth(world["chair"])).json()
    assert (chair["recipients"][0]["outcome"], chair["recipients"][0]["answer"]) == ("nothing_relevant", "Checked.")
    assert client.get(f"{BASE}/{sent.pk}", headers=auth(world["colleague"])).status_code == 404
    assert client.get(f"{BASE}/{sent.pk}", headers=auth(world["matron"])).status_code == 404


def test_the_sender_shares_an_answer_and_withdraws_another(client, world):
    sent = send(world)
    school, nurse = sent.recipients.get(user__isnull=True), sent.recipients.get(user__isnull=False)
    do_answer_request(world["teacher"], school, outcome="not_known")
    headers = auth(world["officer"])
    response = client.post(f"{BASE}/recipients/{school.pk}/share", headers=headers)
    assert response.status_code == 200
    assert response.json()["entry_id"] == RequestRecipient.objects.get(pk=school.pk).shared_entry_id
    assert client.post(f"{BASE}/recipients/{school.pk}/share", headers=headers).status_code == 404
    response = client.post(f"{BASE}/recipients/{nurse.pk}/withdraw", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert client.post(f"{BASE}/recipients/{nurse.pk}/withdraw", headers=auth(world["viewer"])).status_code == 404
