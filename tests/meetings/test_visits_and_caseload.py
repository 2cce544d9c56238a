"""Behaviour Support panels: the cases a panel reviews, agenda proposals from them, and
secondary schools' 2-hour visits recorded (with actions) on a phone."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.meetings import services
from roundtable.meetings.models import Meeting, PanelCase, SchoolVisit
from roundtable.tasks.models import Task
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.meetings.factories import BehaviourPanelFactory, ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def behaviour(area, organisation):
    worker = UserFactory(organisation=organisation, full_name="Bea Worker")
    panel = BehaviourPanelFactory(area=area, name="Behaviour Support – Northshire secondary", members=[worker])
    return panel, worker


@pytest.fixture
def school(area):
    return OrganisationFactory(area=area, sector="education", name="Millford Academy")


def test_a_behaviour_panel_proposes_new_cases_then_reviews_them(behaviour):
    panel, _ = behaviour
    chair = panel.chair
    heard, fresh, closed = (CaseFactory(owner=chair, area=panel.area) for _ in range(3))
    for case in (heard, fresh, closed):
        services.do_add_panel_case(chair, panel, case)
    type(closed).objects.filter(pk=closed.pk).update(state="closed")
    past = MeetingFactory(panel=panel, starts_at=timezone.now() - timedelta(days=30), status=Meeting.Status.CLOSED)
    ItemFactory(meeting=past, case=heard)
    upcoming = MeetingFactory(panel=panel)
    proposed = {p.case.pk: p.kind for p in services.proposals(upcoming)}
    assert proposed == {fresh.pk: "new_referral", heard.pk: "review"}


def test_a_case_added_to_a_behaviour_agenda_joins_the_panels_caseload(behaviour):
    panel, _ = behaviour
    case = CaseFactory(owner=panel.chair, area=panel.area)
    meeting = MeetingFactory(panel=panel)
    services.do_add_case_item(panel.chair, meeting, case, kind="new_referral")
    assert PanelCase.objects.filter(panel=panel, case=case, ended_at__isnull=True).exists()


def test_a_panel_cannot_take_on_a_case_its_chair_cannot_see_or_from_another_area(behaviour, other_organisation):
    panel, _ = behaviour
    hidden = CaseFactory(area=panel.area)
    with pytest.raises(ValidationError, match="no case with that reference that you can see"):
        services.do_add_panel_case(panel.chair, panel, hidden)
    elsewhere = CaseFactory(owner=panel.chair, area=other_organisation.area)
    with pytest.raises(ValidationError, match="in another area"):
        services.do_add_panel_case(panel.chair, panel, elsewhere)


def visit_form(school, case, **overrides):
    today = timezone.localdate()
    data = {
        "school": school.pk, "visit_day": today.day, "visit_month": today.month, "visit_year": today.year,
        "slot_start": "09:00", "slot_end": "", "cases": [case.pk], "work_done": "Observed two lessons.", "rows": "3",
        "action_1_case": case.pk, "action_1_title": "Call the family", "action_1_assignee": case.owner.pk,
        "action_1_working_days": "2",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_member_records_a_visit_with_a_two_hour_slot_and_its_actions_become_tasks(behaviour, school, client):
    panel, worker = behaviour
    case = CaseFactory(owner=worker, area=panel.area)
    force_sign_in(client, worker)
    response = client.post(reverse("meetings:visit_create", args=[panel.pk]), visit_form(school, case))
    visit = SchoolVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meetings:visit_detail", args=[visit.pk])
    assert (visit.slot_start.hour, visit.slot_end.hour) == (9, 11)
    assert list(visit.cases.all()) == [case]
    task = Task.objects.get()
    assert (task.title, task.assignee, task.case) == ("Call the family", worker, case)
    assert visit.actions.get().task == task
    body = client.get(response["Location"]).content.decode()
    assert "Call the family" in body and "Observed two lessons." in body


def test_a_half_filled_action_keeps_everything_typed_and_saves_nothing(behaviour, school, client):
    panel, worker = behaviour
    case = CaseFactory(owner=worker, area=panel.area)
    force_sign_in(client, worker)
    data = visit_form(school, case, action_2_title="Book a meeting with the SENCo")
    response = client.post(reverse("meetings:visit_create", args=[panel.pk]), data)
    body = response.content.decode()
    assert "Action 2: choose who should do it" in body and "Action 2: choose the case" in body
    assert "Book a meeting with the SENCo" in body and "Observed two lessons." in body
    assert not SchoolVisit.objects.exists() and not Task.objects.exists()


def test_add_another_action_shows_one_more_row_without_errors(behaviour, school, client):
    panel, worker = behaviour
    case = CaseFactory(owner=worker, area=panel.area)
    force_sign_in(client, worker)
    response = client.post(
        reverse("meetings:visit_create", args=[panel.pk]), {**visit_form(school, case), "add_row": "1"}
    )
    body = response.content.decode()
    assert 'id="action-4"' in body and "There is a problem" not in body and "Observed two lessons." in body


def test_visits_are_for_secondary_behaviour_panels_only(panel, chair, client):
    force_sign_in(client, chair)
    assert client.get(reverse("meetings:visits", args=[panel.pk])).status_code == 404  # a Channel panel


def test_a_visit_must_name_a_school_of_the_area_and_end_after_it_starts(behaviour, school, other_organisation):
    panel, worker = behaviour
    case = CaseFactory(owner=worker, area=panel.area)
    elsewhere = OrganisationFactory(area=other_organisation.area, sector="education")
    with pytest.raises(ValidationError) as error:
        services.do_record_visit(
            worker, panel, school=elsewhere, visit_date=timezone.localdate(), slot_start=time(11, 0),
            slot_end=time(10, 0), cases=[case], work_done="x",
        )  # fmt: skip
    assert set(error.value.message_dict) == {"school", "slot_end"}
