"""My tasks, the home page panel and the overdue view."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.accounts.models import Role
from roundtable.audit.models import AuditEvent
from roundtable.tasks.views import GROUPS_PAGE_SIZE, PAGE_SIZE
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


def test_my_tasks_lists_overdue_first_then_by_due_date(client, cast):
    me = cast["practitioner"]
    case = CaseFactory(owner=me)
    for title, due in [("In ten days", 10), ("Two days late", -2), ("Tomorrow", 1), ("A week late", -7), ("Today", 0)]:
        TaskFactory(case=case, title=title, due_date=days(due))
    TaskFactory(case=case, title="Finished", due_date=days(-20), status="done")
    TaskFactory(case=case, title="Someone else's", assignee=CaseFactory().owner)
    force_sign_in(client, me)
    response = client.get("/tasks/")
    assert [t.title for t in response.context["tasks"]] == [
        "A week late",
        "Two days late",
        "Today",
        "Tomorrow",
        "In ten days",
    ]
    assert response.content.decode().count("govuk-tag--red") == 2
    closed = client.get("/tasks/?show=closed")
    assert [t.title for t in closed.context["tasks"]] == ["Finished"]


def test_the_home_page_shows_my_open_tasks_with_the_overdue_count(client, cast):
    me = cast["practitioner"]
    case = CaseFactory(owner=me)
    TaskFactory(case=case, title="Not yet", due_date=days(4))
    TaskFactory(case=case, title="Late one", due_date=days(-1))
    TaskFactory(case=case, title="Done one", status="done")
    force_sign_in(client, me)
    response = client.get("/")
    panel = next(p for p in response.context["panels"] if p["template"] == "tasks/home_panel.html")
    assert (panel["count"], panel["overdue"]) == (2, 1)
    assert [t.title for t in panel["tasks"]] == ["Late one", "Not yet"]
    page = response.content.decode()
    assert '<span class="moj-notification-badge" aria-hidden="true">2</span>' in page
    assert "1 overdue" in page


def test_the_home_page_has_no_task_panel_for_system_administrators(client, cast):
    force_sign_in(client, cast["system_admin"])
    response = client.get("/")
    assert all(p["template"] != "tasks/home_panel.html" for p in response.context["panels"])


@pytest.fixture
def late_work(cast):
    chair, owner = cast["panel_chair"], cast["practitioner"]
    area = owner.organisation.area
    police = UserFactory(organisation=OrganisationFactory(name="Northshire Police", area=area), full_name="Pat Police")
    school = UserFactory(organisation=OrganisationFactory(name="Millford Academy", area=area), full_name="Sam School")
    hidden = UserFactory(organisation=OrganisationFactory(name="Hidden Agency", area=area), full_name="Hana Hidden")
    seen = CaseFactory(owner=owner, members=[chair, police, school])
    TaskFactory(case=seen, assignee=police, title="Police late 1", due_date=days(-3))
    TaskFactory(case=seen, assignee=police, title="Police late 2", due_date=days(-1))
    TaskFactory(case=seen, assignee=school, title="School late", due_date=days(-2))
    TaskFactory(case=seen, assignee=school, title="School on time", due_date=days(2))
    TaskFactory(case=seen, assignee=school, title="School done late", due_date=days(-9), status="done")
    chaired_only = CaseFactory(owner=chair, members=[police])
    TaskFactory(case=chaired_only, assignee=police, title="On the chair's own case", due_date=days(-5))
    unseen = CaseFactory(members=[police, hidden])
    TaskFactory(case=unseen, assignee=police, title="On a case the chair cannot see", due_date=days(-5))
    TaskFactory(case=unseen, assignee=hidden, title="Hidden late", due_date=days(-8))
    return {"chair": chair, "owner": owner, "police": police, "school": school, "hidden": hidden}


def _groups(response):
    return [(g["label"], g["detail"], g["count"], g["earliest_due"]) for g in response.context["groups_page"]]


def _titles(response):
    return [t.title for t in response.context["tasks"]]


def _last_audit():
    return AuditEvent.objects.filter(action="task.overdue_viewed").latest("pk")


def test_a_chair_sees_overdue_groups_by_person_counted_over_the_cases_they_can_see(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/")
    assert _groups(response) == [
        ("Pat Police", "Northshire Police", 3, days(-5)),
        ("Sam School", "Millford Academy", 1, days(-2)),
    ]
    # Every overdue task, oldest due first, under the groups.
    assert _titles(response) == ["On the chair's own case", "Police late 1", "School late", "Police late 2"]
    page = response.content.decode()
    assert f'href="?by=person&amp;assignee={late_work["police"].pk}"' in page
    assert "All 4 overdue tasks, oldest due first" in page
    assert "On a case the chair cannot see" not in page and "Hana Hidden" not in page


def test_the_overdue_view_groups_by_organisation(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/?by=organisation")
    assert _groups(response) == [("Northshire Police", "", 3, days(-5)), ("Millford Academy", "", 1, days(-2))]
    organisation = late_work["school"].organisation_id
    assert f'href="?by=organisation&amp;organisation={organisation}"' in response.content.decode()


def test_a_case_owner_sees_overdue_tasks_on_the_cases_they_own_only(client, late_work):
    force_sign_in(client, late_work["owner"])
    response = client.get("/tasks/overdue/")
    assert [(label, count) for label, _, count, _ in _groups(response)] == [("Pat Police", 2), ("Sam School", 1)]
    assert sorted(_titles(response)) == ["Police late 1", "Police late 2", "School late"]


def test_a_group_link_shows_that_persons_overdue_tasks_only(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get(f"/tasks/overdue/?by=person&assignee={late_work['police'].pk}")
    assert response.status_code == 200
    group = response.context["group"]
    assert (group["label"], group["count"], group["earliest_due"]) == ("Pat Police", 3, days(-5))
    assert _titles(response) == ["On the chair's own case", "Police late 1", "Police late 2"]
    assert response.context["groups_page"] is None  # the summary is not repeated under a group
    assert response.context["total"] == 4  # the heading's badge: every overdue task the chair oversees
    assert response.context["page"].paginator.count == 3  # the group's own count pages its tasks
    page = response.content.decode()
    assert "Overdue tasks of Pat Police, oldest due first" in page and "<title>Pat Police: overdue tasks" in page
    assert '<span class="moj-notification-badge">4</span>' in page
    # The event says which view was read: grouping, group and page, beside the cases shown.
    assert _last_audit().details == {
        "case_ids": sorted({t.case_id for t in response.context["tasks"]}), "count": 3,
        "page": 1, "by": "person", "group": late_work["police"].pk, "groups_page": None,
    }  # fmt: skip


def test_an_organisation_link_implies_grouping_by_organisation(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get(f"/tasks/overdue/?organisation={late_work['school'].organisation_id}")
    assert response.context["by"] == "organisation"
    assert response.context["group"]["label"] == "Millford Academy"
    assert _titles(response) == ["School late"]


@pytest.mark.parametrize("who", ["hidden", "nobody"])
def test_an_invisible_or_unknown_group_shows_nothing_about_it(client, late_work, who):
    force_sign_in(client, late_work["chair"])
    group_id = late_work["hidden"].pk if who == "hidden" else 987654321
    for query in (f"assignee={group_id}", f"by=organisation&organisation={late_work['hidden'].organisation_id}"):
        response = client.get(f"/tasks/overdue/?{query}")
        assert response.status_code == 200
        assert response.context["group"] is None and _titles(response) == []
        page = response.content.decode()
        assert "There are no overdue tasks for this" in page
        assert "Hana Hidden" not in page and "Hidden Agency" not in page and "Hidden late" not in page
        assert (_last_audit().details["case_ids"], _last_audit().details["count"]) == ([], 0)


@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "99999999999999999999"])
def test_a_group_id_that_is_not_a_number_is_refused_with_a_clear_message(client, late_work, value):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/", {"assignee": value})
    assert response.status_code == 400
    assert _titles(response) == []
    page = response.content.decode()
    assert "There is a problem with this link" in page and "<title>Error: Overdue tasks" in page
    assert "is not a person number" in page
    assert 'href="?by=person"' in page
    assert response.context["total"] is None and "moj-notification-badge" not in page


def test_an_empty_group_parameter_shows_every_group(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/?by=person&assignee=")
    assert response.status_code == 200 and len(_groups(response)) == 2


def _refused(response) -> str:
    """The page for a link we refuse: a 400 showing no tasks, no groups and no total."""
    assert response.status_code == 400
    assert _titles(response) == [] and response.context["groups_page"] is None
    page = response.content.decode()
    assert "There is a problem with this link" in page and "<title>Error: Overdue tasks" in page
    assert "Police late" not in page and "School late" not in page and "moj-notification-badge" not in page
    return page


def test_an_organisation_in_a_link_grouped_by_person_is_refused_not_ignored(client, late_work):
    force_sign_in(client, late_work["chair"])
    organisation = late_work["school"].organisation_id
    page = _refused(client.get(f"/tasks/overdue/?by=person&organisation={organisation}"))
    assert (
        f"The link groups overdue tasks by person but names an organisation (organisation={organisation}): "
        "grouped by person, the page shows the tasks of a person (assignee=…), not of an organisation."
    ) in page
    # Links to what the link probably meant: that organisation's tasks, or everyone by person.
    assert f'href="?by=organisation&amp;organisation={organisation}"' in page
    assert 'href="?by=person">All overdue tasks by person</a>' in page
    assert _last_audit().details == {
        "case_ids": [], "count": 0, "page": 1, "by": "person", "group": None, "groups_page": None
    }  # fmt: skip


def test_a_person_in_a_link_grouped_by_organisation_is_refused_not_ignored(client, late_work):
    force_sign_in(client, late_work["chair"])
    person = late_work["police"].pk
    page = _refused(client.get(f"/tasks/overdue/?by=organisation&assignee={person}"))
    assert f"The link groups overdue tasks by organisation but names a person (assignee={person})" in page
    assert f'href="?by=person&amp;assignee={person}">The overdue tasks of person {person}</a>' in page
    assert 'href="?by=organisation">All overdue tasks by organisation</a>' in page


@pytest.mark.parametrize("by", ["", "by=person&", "by=organisation&"])
def test_a_link_naming_both_a_person_and_an_organisation_is_refused_with_a_link_to_each(client, late_work, by):
    force_sign_in(client, late_work["chair"])
    person, organisation = late_work["police"].pk, late_work["school"].organisation_id
    page = _refused(client.get(f"/tasks/overdue/?{by}assignee={person}&organisation={organisation}"))
    assert (
        f"The link names both a person (assignee={person}) and an organisation (organisation={organisation}): "
        "the page shows one person or one organisation at a time."
    ) in page
    assert f'href="?by=person&amp;assignee={person}"' in page
    assert f'href="?by=organisation&amp;organisation={organisation}"' in page


def test_a_mismatched_group_that_is_not_a_number_gets_no_link_to_it(client, late_work):
    force_sign_in(client, late_work["chair"])
    page = _refused(client.get("/tasks/overdue/", {"by": "person", "organisation": "<b>abc</b>"}))
    assert "names an organisation (organisation=&lt;b&gt;abc&lt;/b&gt;)" in page and "<b>abc" not in page
    assert "organisation=%3Cb" not in page and "The overdue tasks of organisation" not in page
    assert 'href="?by=person">All overdue tasks by person</a>' in page


def test_a_grouping_we_do_not_have_is_refused_with_links_to_both(client, late_work):
    force_sign_in(client, late_work["chair"])
    page = _refused(client.get("/tasks/overdue/?by=agency"))
    assert "The link asks to group overdue tasks by “agency”: they can be grouped by person or by organisation." in page
    assert 'href="?by=person"' in page and 'href="?by=organisation"' in page


def test_an_empty_parameter_of_the_other_grouping_is_not_a_problem(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/?by=person&organisation=&assignee=")
    assert response.status_code == 200 and len(_groups(response)) == 2


def test_a_groups_tasks_are_paged_by_the_groups_own_count(client, cast):
    chair, owner = cast["panel_chair"], cast["practitioner"]
    person = UserFactory(organisation=owner.organisation, full_name="Busy Person")
    case = CaseFactory(owner=owner, members=[chair, person])
    for i in range(PAGE_SIZE + 2):
        TaskFactory(case=case, assignee=person, title=f"Late {i:02}", due_date=days(-100 + i))
    TaskFactory(case=case, title="Someone else's", due_date=days(-1))
    force_sign_in(client, chair)
    first = client.get(f"/tasks/overdue/?assignee={person.pk}")
    assert (first.context["total"], first.context["page"].paginator.num_pages) == (PAGE_SIZE + 3, 2)
    assert f'href="?assignee={person.pk}&amp;page=2" rel="next"' in first.content.decode()
    second = client.get(f"/tasks/overdue/?assignee={person.pk}&page=2")
    assert _titles(second) == [f"Late {i:02}" for i in range(PAGE_SIZE, PAGE_SIZE + 2)]
    assert (_last_audit().details["page"], _last_audit().details["group"]) == (2, person.pk)


def test_the_overdue_tasks_are_paged_oldest_first_and_the_audit_names_only_the_page_shown(client, cast):
    chair, owner = cast["panel_chair"], cast["practitioner"]
    cases = [CaseFactory(owner=owner, members=[chair]) for _ in range(3)]
    for i in range(PAGE_SIZE + 5):
        TaskFactory(case=cases[0] if i < PAGE_SIZE else cases[1 + i % 2], title=f"Late {i:02}", due_date=days(-100 + i))
    TaskFactory(case=cases[2], title="Not late", due_date=days(1))
    force_sign_in(client, chair)

    first = client.get("/tasks/overdue/")
    assert _titles(first) == [f"Late {i:02}" for i in range(PAGE_SIZE)]
    assert _last_audit().details == {
        "case_ids": [cases[0].pk], "count": PAGE_SIZE, "page": 1, "by": "person", "group": None, "groups_page": 1
    }  # fmt: skip
    page = first.content.decode()
    assert f"All {PAGE_SIZE + 5} overdue tasks, oldest due first" in page
    assert 'href="?by=person&amp;page=2" rel="next"' not in page  # no by in the URL, none added
    assert 'href="?page=2" rel="next"' in page

    second = client.get("/tasks/overdue/?by=organisation&page=2")
    assert _titles(second) == [f"Late {i:02}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert _last_audit().details == {
        "case_ids": sorted([cases[1].pk, cases[2].pk]), "count": 5,
        "page": 2, "by": "organisation", "group": None, "groups_page": 1,
    }  # fmt: skip
    assert 'href="?by=organisation&amp;page=1" rel="prev"' in second.content.decode()


def test_the_group_summary_is_paged_and_keeps_the_task_page(client, cast):
    chair, owner = cast["panel_chair"], cast["practitioner"]
    people = [
        UserFactory(organisation=owner.organisation, full_name=f"Person {i:02}") for i in range(GROUPS_PAGE_SIZE + 3)
    ]
    case = CaseFactory(owner=owner, members=[chair, *people])
    for i, person in enumerate(people):
        for _ in range(1 + (i == 7)):  # Person 07 has two and comes first
            TaskFactory(case=case, assignee=person, due_date=days(-1))
    force_sign_in(client, chair)

    first = client.get("/tasks/overdue/")
    labels = [label for label, *_ in _groups(first)]
    assert labels[:3] == ["Person 07", "Person 00", "Person 01"] and len(labels) == GROUPS_PAGE_SIZE
    assert 'href="?groups=2" rel="next"' in first.content.decode()
    second = client.get("/tasks/overdue/?page=1&groups=2")
    assert [label for label, *_ in _groups(second)] == [f"Person {i:02}" for i in range(GROUPS_PAGE_SIZE, len(people))]
    assert 'href="?page=1&amp;groups=1" rel="prev"' in second.content.decode()


def test_a_panel_chair_with_no_cases_sees_an_empty_overdue_view(client, organisation):
    chair = UserFactory(organisation=organisation, role=Role.PANEL_CHAIR)
    force_sign_in(client, chair)
    response = client.get("/tasks/overdue/")
    assert response.status_code == 200
    assert "No tasks are overdue" in response.content.decode()
