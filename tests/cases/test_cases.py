"""Opening cases, their references, members and invitations, the case list and "My cases"."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.accounts.models import Invitation, Organisation, Role
from roundtable.cases import services
from roundtable.cases.models import Case, CaseMembership
from tests.cases.factories import MembershipFactory, overdue
from tests.conftest import force_sign_in
from tests.factories import AreaFactory, CaseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_practitioner_opens_a_case_for_a_person_they_can_see_and_becomes_its_owner(client, team):
    person = PersonFactory(created_by=team["colleague"])
    force_sign_in(client, team["colleague"])
    form = client.get(reverse("cases:create")).content.decode()
    assert person.full_name in form
    response = client.post(
        reverse("cases:create"),
        {"kind": "referral", "person": person.pk, "title": "Referral from school", "state": "open",
         "lead_organisation": team["colleague"].organisation_id},
    )  # fmt: skip
    case = Case.objects.get(title="Referral from school")
    assert response.status_code == 302
    assert re.fullmatch(rf"NS-{timezone.localdate().year}-\d{{6}}", case.reference)
    assert case.memberships.get().role == "owner" and case.owner == team["colleague"]


def test_a_person_the_user_cannot_see_is_not_offered_and_is_refused(client, team):
    hidden = PersonFactory(created_by=team["outsider"])
    force_sign_in(client, team["colleague"])
    assert hidden.full_name not in client.get(reverse("cases:create")).content.decode()
    response = client.post(
        reverse("cases:create"),
        {"kind": "referral", "person": hidden.pk, "title": "x", "state": "open",
         "lead_organisation": team["colleague"].organisation_id},
    )  # fmt: skip
    assert response.status_code == 200 and "Choose a person from the list" in response.content.decode()


def test_a_meeting_case_needs_no_person_but_a_referral_does(team):
    meeting = services.do_create_case(team["owner"], kind="meeting", title="Monthly panel")
    assert meeting.person is None
    with pytest.raises(ValidationError) as problem:
        services.do_create_case(team["owner"], kind="referral", title="No one")
    assert "person" in problem.value.message_dict


def test_references_count_up_per_area_prefix_and_year(team):
    first = services.next_reference(team["case"].area, year=2026)
    second = services.next_reference(team["case"].area, year=2026)
    assert (first, second) == ("NS-2026-000001", "NS-2026-000002")
    assert services.next_reference(team["case"].area, year=2027) == "NS-2027-000001"
    assert services.reference_prefix(AreaFactory(name="North Wessex")) == "NW"


def test_an_owner_adds_an_existing_user_from_another_organisation(client, team, other_organisation):
    stranger = UserFactory(organisation=other_organisation, full_name="Sally Social")
    force_sign_in(client, team["owner"])
    response = client.post(
        reverse("cases:members", args=[team["case"].pk]), {"email": stranger.email, "role": "viewer"}
    )
    assert response.status_code == 302
    assert team["case"].memberships.get(user=stranger).role == "viewer"
    assert stranger.notices.filter(message__contains=team["case"].reference).exists()


def test_adding_someone_with_no_account_invites_them_and_brings_their_organisation_on(client, team):
    force_sign_in(client, team["owner"])
    response = client.post(
        reverse("cases:members", args=[team["case"].pk]),
        {"email": "new.partner@charity.example", "role": "contributor", "full_name": "Nina Newpartner",
         "organisation_name": "Harbour Lights Mentoring", "sector": "voluntary"},
    )  # fmt: skip
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Harbour Lights Mentoring")
    invitation = Invitation.objects.get(email="new.partner@charity.example")
    assert invitation.organisation == organisation and invitation.role == Role.PRACTITIONER
    assert team["case"].memberships.filter(user=invitation.user, role="contributor").exists()


def test_an_invitation_needs_a_name_and_organisation_with_clear_messages(client, team):
    force_sign_in(client, team["owner"])
    response = client.post(
        reverse("cases:members", args=[team["case"].pk]), {"email": "nobody@example.org", "role": "viewer"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is no account with this e-mail address" in page and "Choose their organisation" in page
    assert "nobody@example.org" in page


def test_only_owners_manage_members(client, team):
    membership = team["case"].memberships.get(user=team["viewer"])
    force_sign_in(client, team["contributor"])
    url = reverse("cases:member_role", kwargs={"pk": team["case"].pk, "membership_pk": membership.pk})
    assert client.post(url, {"role": "owner"}).status_code == 404
    assert team["case"].memberships.get(user=team["viewer"]).role == "viewer"


def test_an_owner_changes_a_role_and_removes_a_member_who_then_gets_404(client, team):
    membership = team["case"].memberships.get(user=team["viewer"])
    force_sign_in(client, team["owner"])
    client.post(reverse("cases:member_role", kwargs={"pk": team["case"].pk, "membership_pk": membership.pk}),
                {"role": "contributor"})  # fmt: skip
    assert CaseMembership.objects.get(pk=membership.pk).role == "contributor"
    client.post(reverse("cases:member_remove", kwargs={"pk": team["case"].pk, "membership_pk": membership.pk}))
    assert not CaseMembership.objects.filter(pk=membership.pk).exists()
    force_sign_in(client, team["viewer"])
    assert client.get(reverse("cases:detail", args=[team["case"].pk])).status_code == 404


def test_the_last_owner_cannot_leave_or_be_demoted(team):
    owner_membership = team["case"].memberships.get(user=team["owner"])
    with pytest.raises(ValidationError):
        services.do_change_member_role(team["owner"], owner_membership, "viewer")
    with pytest.raises(ValidationError):
        services.do_remove_member(team["owner"], owner_membership)


# --- The case list ---------------------------------------------------------------------------------
@pytest.fixture
def several(team):
    owner = team["owner"]
    cases = {
        "open_referral": team["case"],
        "closed_channel": CaseFactory(owner=owner, kind="channel", state="closed", title="Closed channel case"),
        "theirs": CaseFactory(owner=team["contributor"], kind="safeguarding", title="Their safeguarding case"),
        "hidden": CaseFactory(owner=team["outsider"], title="Not visible to Olga"),
    }
    MembershipFactory(case=cases["theirs"], user=owner, role="viewer")
    overdue(cases["closed_channel"])
    return cases


def _listed(client, **params):
    response = client.get(reverse("cases:list"), params)
    return {case.title for case in response.context["page"]}


def test_the_case_list_shows_only_cases_the_user_is_a_member_of(client, team, several):
    force_sign_in(client, team["owner"])
    assert _listed(client) == {"Referral about a young person", "Closed channel case", "Their safeguarding case"}


def test_the_case_list_filters_by_type_state_owner_mine_and_overdue_tasks(client, team, several):
    force_sign_in(client, team["owner"])
    assert _listed(client, kind="channel") == {"Closed channel case"}
    assert _listed(client, state="open") == {"Referral about a young person", "Their safeguarding case"}
    assert _listed(client, owner=team["contributor"].pk) == {"Their safeguarding case"}
    assert _listed(client, mine="on") == {"Referral about a young person", "Closed channel case"}
    assert _listed(client, overdue="on") == {"Closed channel case"}


def test_a_task_that_is_done_or_not_yet_due_is_not_overdue(client, team, several):
    from tests.cases.factories import TaskFactory

    TaskFactory(case=team["case"], due_date=timezone.localdate() - timedelta(days=1), status="done")
    TaskFactory(case=team["case"], due_date=timezone.localdate())
    force_sign_in(client, team["owner"])
    assert _listed(client, overdue="on") == {"Closed channel case"}


def test_the_case_list_sorts_by_a_column_and_pages(client, team, several):
    for n in range(30):
        CaseFactory(owner=team["owner"], title=f"Bulk {n:02d}")
    force_sign_in(client, team["owner"])
    response = client.get(reverse("cases:list"), {"sort": "title", "order": "asc"})
    titles = [case.title for case in response.context["page"]]
    assert titles == sorted(titles) and len(titles) == 25
    assert 'aria-sort="ascending"' in response.content.decode()
    second = client.get(reverse("cases:list"), {"sort": "title", "order": "asc", "page": 2})
    assert len(second.context["page"]) == 8


def test_my_cases_on_the_home_page_lists_recent_cases_and_links_to_the_list(client, team, several):
    force_sign_in(client, team["owner"])
    page = client.get(reverse("core:home")).content.decode()
    assert "My cases" in page and team["case"].reference in page
    assert several["hidden"].reference not in page
    assert reverse("cases:list") in page


def test_the_api_lists_and_creates_cases(client, team, several):
    from roundtable.api.services import do_create_token

    _, raw = do_create_token(team["owner"], name="t", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    listed = client.get("/api/v1/cases/?kind=channel", headers=headers).json()
    assert [c["title"] for c in listed["items"]] == ["Closed channel case"]
    assert listed["items"][0]["has_overdue_tasks"] is True
    created = client.post(
        "/api/v1/cases/", {"kind": "plan", "title": "Prevent plan"}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201 and created.json()["reference"].startswith("NS-")
    missing_person = client.post(
        "/api/v1/cases/", {"kind": "referral", "title": "x"}, content_type="application/json", headers=headers
    )
    assert missing_person.status_code == 422 and "person" in missing_person.json()["detail"]


def test_the_invitation_email_carries_no_case_details(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.do_invite_member(
            team["owner"], team["case"], email="x@partner.example", full_name="Xavier Partner", role="viewer",
            organisation_name="Partner Org", sector="health",
        )  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["x@partner.example"] and "Partner Org" in message.body
    assert team["case"].title not in message.body and team["case"].person.full_name not in message.body


def test_who_has_seen_this_lists_views_and_changes_of_the_case(client, team):
    force_sign_in(client, team["contributor"])
    client.get(reverse("cases:chronology", args=[team["case"].pk]))
    force_sign_in(client, team["viewer"])
    page = client.get(reverse("cases:history", args=[team["case"].pk])).content.decode()
    assert "Viewed the chronology" in page and team["contributor"].email in page
