"""GET /api/v1/tasks/overdue: bounded like the other list endpoints (page and page_size, at most
100), oldest due first, through overseen_tasks, with groups counted in SQL and one audit event
naming the cases of the tasks returned."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.accounts.models import Role
from roundtable.audit.models import AuditEvent
from roundtable.tasks.models import Task
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.tasks.test_task_api import auth

pytestmark = pytest.mark.django_db
URL = "/api/v1/tasks/overdue"


def _late(n, cast, *, cases=3, people=5):
    """n overdue tasks on cases the practitioner owns and the chair is on, task i due i+1 days ago,
    spread over ``people`` assignees in three organisations. Returns the assignees."""
    owner, chair = cast["practitioner"], cast["panel_chair"]
    organisations = [OrganisationFactory(area=owner.organisation.area) for _ in range(3)]
    assignees = [UserFactory(organisation=organisations[i % 3]) for i in range(people)]
    on = [CaseFactory(owner=owner, members=[chair, *assignees]) for _ in range(cases)]
    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(case=on[i % cases], title=f"Late {i}", assignee=assignees[i % people], created_by=owner,
             due_date=today - timedelta(days=1 + i))
        for i in range(n)
    )  # fmt: skip
    return assignees


def _last_audit():
    return AuditEvent.objects.filter(action="task.overdue_viewed").latest("pk")


def test_55_overdue_tasks_come_oldest_first_in_a_page_of_50_then_the_other_5(client, cast):
    _late(55, cast)
    headers = auth(cast["panel_chair"])
    first = client.get(URL, {"page_size": 50}, headers=headers).json()
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (55, 1, 2, 50)
    first_audit = _last_audit()
    second = client.get(URL, {"page_size": 50, "page": 2}, headers=headers).json()
    assert (second["count"], second["page"], second["pages"], len(second["items"])) == (55, 2, 2, 5)
    dues = [t["due_date"] for t in first["items"] + second["items"]]
    assert dues == sorted(dues) and len(set(dues)) == 55  # oldest due first, nothing twice or missed
    assert all(t["is_overdue"] for t in first["items"])
    # One event per call, naming the cases of the tasks returned and how many were returned.
    assert first_audit.details["count"] == 50
    assert first_audit.details["case_ids"] == sorted({t["case_id"] for t in first["items"]})
    assert _last_audit().details["count"] == 5
    assert _last_audit().details["case_ids"] == sorted({t["case_id"] for t in second["items"]})
    # ... and which page of which view was read.
    asked = {"by": "person", "group": None, "groups_page": 1, "via": "api"}
    assert first_audit.details == {**asked, "page": 1, "case_ids": first_audit.details["case_ids"], "count": 50}
    assert _last_audit().details == {**asked, "page": 2, "case_ids": _last_audit().details["case_ids"], "count": 5}


def test_the_default_page_is_25_and_a_page_past_the_end_is_empty(client, cast):
    _late(30, cast)
    headers = auth(cast["panel_chair"])
    assert len(client.get(URL, headers=headers).json()["items"]) == 25
    beyond = client.get(URL, {"page": 9}, headers=headers).json()
    assert (beyond["items"], beyond["count"], beyond["pages"]) == ([], 30, 2)
    assert (_last_audit().details["case_ids"], _last_audit().details["count"], _last_audit().details["page"]) == (
        [], 0, 9
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page_size": 101}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page"), ({"by": "x"}, "by")],
)
def test_a_page_size_above_100_or_a_bad_parameter_is_refused_with_422(client, cast, query, field):
    _late(3, cast)
    response = client.get(URL, query, headers=auth(cast["panel_chair"]))
    assert response.status_code == 422
    assert field in {str(part) for error in response.json()["errors"] for part in error["loc"]}
    assert not AuditEvent.objects.filter(action="task.overdue_viewed").exists()


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"organisation": "3"}, ["organisation"]),
        ({"by": "person", "organisation": "3"}, ["organisation"]),
        ({"by": "organisation", "assignee": "3"}, ["assignee"]),
        ({"assignee": "3", "organisation": "4"}, ["assignee", "organisation"]),
        ({"groups": "2"}, ["groups"]),
        ({"assignee": ""}, ["assignee"]),
    ],
)
def test_the_overdue_pages_parameter_names_are_refused_with_422_naming_each_not_ignored(client, cast, query, named):
    _late(3, cast)
    response = client.get(URL, query, headers=auth(cast["panel_chair"]))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["loc"] for error in errors] == [["query", name] for name in named]
    assert all("here pass" in error["msg"] for error in errors)
    if "organisation" in named:
        assert "`by=organisation&group=<id>`" in errors[named.index("organisation")]["msg"]
    assert not AuditEvent.objects.filter(action="task.overdue_viewed").exists()


def test_someone_who_may_not_ask_gets_404_whatever_the_parameters(client, cast):
    _late(3, cast)
    assert client.get(URL, {"organisation": "3"}, headers=auth(cast["panel_admin"])).status_code == 404


def test_groups_can_be_paged_apart_from_the_tasks_and_default_to_the_tasks_page_size(client, cast):
    _late(30, cast, people=5)
    headers = auth(cast["panel_chair"])
    apart = client.get(URL, {"page_size": 10, "groups_page_size": 2, "groups_page": 2}, headers=headers).json()
    assert (len(apart["items"]), apart["pages"]) == (10, 3)
    assert (len(apart["groups"]["items"]), apart["groups"]["pages"], apart["groups"]["page"]) == (2, 3, 2)
    together = client.get(URL, {"page_size": 4}, headers=headers).json()
    assert (len(together["items"]), len(together["groups"]["items"]), together["groups"]["pages"]) == (4, 4, 2)
    for bad in (0, 101):
        response = client.get(URL, {"groups_page_size": bad}, headers=headers)
        assert response.status_code == 422 and ["query", "groups_page_size"] in [
            e["loc"] for e in response.json()["errors"]
        ]


def test_groups_are_counted_over_every_overdue_task_and_paged_most_late_first(client, cast):
    people = _late(30, cast, people=5)
    headers = auth(cast["panel_chair"])
    data = client.get(URL, {"page_size": 2}, headers=headers).json()
    assert (data["groups"]["count"], data["groups"]["pages"]) == (5, 3)
    assert [g["count"] for g in data["groups"]["items"]] == [6, 6]
    rest = client.get(URL, {"page_size": 2, "groups_page": 3}, headers=headers).json()["groups"]["items"]
    assert len(rest) == 1 and rest[0]["id"] in {p.pk for p in people}
    organisations = client.get(URL, {"by": "organisation"}, headers=headers).json()["groups"]
    assert sorted(g["count"] for g in organisations["items"]) == [6, 12, 12]
    assert {g["detail"] for g in organisations["items"]} == {""}


def test_a_group_narrows_the_tasks_to_that_person_or_organisation(client, cast):
    people = _late(10, cast, people=5)
    headers = auth(cast["panel_chair"])
    one = client.get(URL, {"group": people[0].pk}, headers=headers).json()
    assert {t["assignee"]["id"] for t in one["items"]} == {people[0].pk} and one["count"] == 2
    assert [(g["id"], g["count"]) for g in one["groups"]["items"]] == [(people[0].pk, 2)]
    assert (one["pages"], one["groups"]["count"], one["groups"]["pages"]) == (1, 1, 1)
    assert _last_audit().details == {
        "case_ids": sorted({t["case_id"] for t in one["items"]}), "count": 2,
        "page": 1, "by": "person", "group": people[0].pk, "groups_page": 1, "via": "api",
    }  # fmt: skip
    organisation = people[0].organisation_id
    theirs = client.get(URL, {"by": "organisation", "group": organisation}, headers=headers).json()
    assert theirs["count"] == 4  # people 0 and 3 share the first organisation
    assert [(g["id"], g["count"]) for g in theirs["groups"]["items"]] == [(organisation, 4)]
    assert (_last_audit().details["by"], _last_audit().details["group"]) == ("organisation", organisation)


def test_a_groups_tasks_are_paged_by_the_count_on_its_row(client, cast):
    people = _late(12, cast, people=2)
    headers = auth(cast["panel_chair"])
    second = client.get(URL, {"group": people[0].pk, "page_size": 4, "page": 2}, headers=headers).json()
    assert (second["count"], second["pages"], len(second["items"])) == (6, 2, 2)
    assert {t["assignee"]["id"] for t in second["items"]} == {people[0].pk}
    # The one group row is on the first page of groups; a later page of groups is empty.
    later = client.get(URL, {"group": people[0].pk, "groups_page": 2}, headers=headers).json()["groups"]
    assert (later["items"], later["count"], later["page"]) == ([], 1, 2)
    nobody = client.get(URL, {"group": 987654321}, headers=headers).json()
    assert (nobody["items"], nobody["count"], nobody["pages"], nobody["groups"]["count"]) == ([], 0, 1, 0)


def test_another_organisations_chair_or_case_owner_sees_none_of_our_overdue_tasks_nor_groups(client, cast):
    people = _late(5, cast)
    elsewhere = cast["other_org_practitioner"].organisation
    their_chair = UserFactory(organisation=elsewhere, role=Role.PANEL_CHAIR)
    their_owner = cast["other_org_practitioner"]
    CaseFactory(owner=their_owner)  # owning a case of their own lets them ask at all
    for user in (their_chair, their_owner):
        for query in ({}, {"by": "organisation"}, {"group": people[0].pk}):
            response = client.get(URL, query, headers=auth(user))
            assert response.status_code == 200
            data = response.json()
            assert (data["items"], data["count"], data["groups"]["items"], data["groups"]["count"]) == ([], 0, [], 0)
            assert (_last_audit().details["case_ids"], _last_audit().details["count"]) == ([], 0)
            assert _last_audit().details["group"] == query.get("group")


def test_another_organisations_practitioner_owning_no_case_gets_404(client, cast):
    _late(3, cast)
    assert client.get(URL, headers=auth(cast["other_org_practitioner"])).status_code == 404


def test_members_who_neither_chair_nor_own_get_404(client, cast):
    _late(3, cast)
    assert client.get(URL, headers=auth(cast["panel_admin"])).status_code == 404


def test_a_case_owner_sees_only_the_overdue_tasks_of_cases_they_own(client, cast):
    _late(4, cast)
    stranger_case = CaseFactory(members=[cast["panel_chair"]])
    Task.objects.create(case=stranger_case, title="Not theirs", assignee=stranger_case.owner,
                        created_by=stranger_case.owner, due_date=timezone.localdate() - timedelta(days=1))  # fmt: skip
    owner = client.get(URL, headers=auth(cast["practitioner"])).json()
    chair = client.get(URL, headers=auth(cast["panel_chair"])).json()
    assert (owner["count"], chair["count"]) == (4, 5)
    assert "Not theirs" not in {t["title"] for t in owner["items"]}


def _queries(client, cast, n) -> dict:
    people = _late(n, cast)
    headers = auth(cast["panel_chair"])
    queries = {
        "person": {},
        "organisation": {"by": "organisation"},
        "one person": {"group": people[0].pk},
        "one organisation": {"by": "organisation", "group": people[0].organisation_id},
    }
    counts = {}
    for name, query in queries.items():
        client.get(URL, query, headers=headers)  # the first call may fill caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, query, headers=headers).status_code == 200
        counts[name] = len(captured)
    return counts


def test_the_overdue_api_runs_the_same_queries_for_3_and_30_overdue_tasks(client, cast):
    small = _queries(client, cast, 3)
    Task.objects.all().delete()
    large = _queries(client, cast, 30)
    assert Task.objects.count() == 30
    assert large == small
    # One group: its row carries its count, so neither the tasks nor the groups are counted.
    assert large["one person"] == large["person"] - 2
    assert large["one organisation"] == large["organisation"] - 2


def test_the_openapi_schema_describes_the_paging_parameters_and_the_page_shape(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert {"by", "group", "page", "page_size", "groups_page", "groups_page_size"} <= set(parameters)
    assert (parameters["page_size"]["maximum"], parameters["page_size"]["default"]) == (100, 25)
    described = {p["name"]: p.get("description", "") for p in operation["parameters"]}
    assert "without it, page_size" in described["groups_page_size"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("/OverduePageOut")
