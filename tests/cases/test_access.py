"""Need to know: only members see a case; a restricted entry's content only its author and
the people named on it. Everyone else gets a 404 or a placeholder, on every path."""

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.access import policy
from roundtable.api.services import do_create_token
from roundtable.cases import services
from roundtable.cases.api import router
from roundtable.cases.models import ChronologyEntry
from roundtable.cases.urls import urlpatterns
from tests.cases.conftest import SECRET
from tests.conftest import force_sign_in
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

CASE_PAGES = [p.name for p in urlpatterns if "pk" in str(p.pattern)]
API_ROUTES = [
    (operation.url_name, method, path)
    for path, view in router.path_operations.items()
    for operation in view.operations
    for method in operation.methods
]


def _kwargs(pattern: str, case, entry, membership_pk: int) -> dict:
    kwargs = {"pk": case.pk}
    if "entry_pk" in pattern:
        kwargs["entry_pk"] = entry.pk
    if "membership_pk" in pattern:
        kwargs["membership_pk"] = membership_pk
    return kwargs


def _bearer(user) -> dict:
    _, raw = do_create_token(user, name="test", days=1)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("name", CASE_PAGES)
@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_a_non_member_gets_404_for_every_case_page(client, team, name, who):
    entry = EntryFactory(case=team["case"])
    membership = team["case"].memberships.get(user=team["viewer"])
    pattern = next(str(p.pattern) for p in urlpatterns if p.name == name)
    url = reverse(f"cases:{name}", kwargs=_kwargs(pattern, team["case"], entry, membership.pk))
    force_sign_in(client, team[who])
    statuses = {client.get(url).status_code, client.post(url, {"role": "owner", "reason": "x"}).status_code}
    # 405 for the wrong method (says nothing about the case); every real answer is a 404.
    assert statuses <= {404, 405} and 404 in statuses


@pytest.mark.parametrize("name", CASE_PAGES)
def test_a_guessed_id_that_does_not_exist_looks_the_same_as_one_you_may_not_see(client, team, name):
    pattern = next(str(p.pattern) for p in urlpatterns if p.name == name)
    kwargs = {key: 999_999 for key in ("pk", "entry_pk", "membership_pk") if key in pattern}
    force_sign_in(client, team["owner"])
    assert client.get(reverse(f"cases:{name}", kwargs=kwargs)).status_code in (404, 405)


def test_another_cases_entry_cannot_be_reached_through_a_case_you_are_on(client, team, other_organisation):
    from tests.factories import CaseFactory

    elsewhere = EntryFactory(case=CaseFactory(), body="Not yours")
    force_sign_in(client, team["owner"])
    url = reverse("cases:entry_fragment", kwargs={"pk": team["case"].pk, "entry_pk": elsewhere.pk})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("name", "method", "path"), API_ROUTES)
@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_a_non_member_gets_404_from_every_case_api_route(client, team, name, method, path, who):
    if "{int:case_id}" not in path:
        pytest.skip("not about one case")
    entry = EntryFactory(case=team["case"])
    membership = team["case"].memberships.get(user=team["viewer"])
    url = "/api/v1/cases" + path.replace("{int:case_id}", str(team["case"].pk))
    url = url.replace("{int:entry_id}", str(entry.pk)).replace("{int:member_id}", str(membership.pk))
    call = client.get if method == "GET" else client.post
    response = call(url, data={"reason": "x", "role": "viewer"}, headers=_bearer(team[who]))
    assert response.status_code == 404, (name, response.content)


# --- Restricted entries ---------------------------------------------------------------------------
def test_the_policy_says_who_may_read_a_restricted_entry(team, restricted_entry):
    assert policy.can(team["contributor"], "entry.read_content", restricted_entry)  # the author
    assert policy.can(team["owner"], "entry.read_content", restricted_entry)  # named on it
    assert not policy.can(team["viewer"], "entry.read_content", restricted_entry)
    assert not policy.can(team["colleague"], "entry.read_content", restricted_entry)
    assert not policy.can(team["outsider"], "entry.read_content", restricted_entry)


def test_a_member_not_named_sees_only_the_placeholder_on_the_chronology(client, team, restricted_entry):
    force_sign_in(client, team["viewer"])
    page = client.get(reverse("cases:chronology", args=[team["case"].pk])).content.decode()
    assert "Restricted entry, note recorded" in page
    assert "Ask Connor Contributor for access." in page
    assert SECRET not in page and "Secret summary" not in page


def test_a_named_member_reads_the_restricted_entry(client, team, restricted_entry):
    force_sign_in(client, team["owner"])
    page = client.get(reverse("cases:chronology", args=[team["case"].pk])).content.decode()
    assert SECRET in page
    assert "Only Connor Contributor, Olga Owner can read this entry." in page


@pytest.mark.parametrize("name", ["entry_fragment", "entry_detail"])
def test_the_fragment_and_entry_pages_never_show_restricted_content(client, team, restricted_entry, name):
    services.do_amend_entry(
        team["contributor"], restricted_entry, expected_version=1, summary="Secret summary v2",
        body=SECRET + " amended", occurred_at=restricted_entry.occurred_at,
    )  # fmt: skip
    force_sign_in(client, team["viewer"])
    url = reverse(f"cases:{name}", kwargs={"pk": team["case"].pk, "entry_pk": restricted_entry.pk})
    page = client.get(url).content.decode()
    assert "Restricted entry" in page
    assert SECRET not in page and "Secret summary" not in page


def test_the_viewer_cannot_open_the_amend_retract_or_restrict_pages_of_a_restricted_entry(
    client, team, restricted_entry
):
    force_sign_in(client, team["viewer"])
    for name in ("entry_amend", "entry_retract", "entry_restrict"):
        url = reverse(f"cases:{name}", kwargs={"pk": team["case"].pk, "entry_pk": restricted_entry.pk})
        assert client.get(url).status_code == 404


def test_searching_the_chronology_never_finds_a_restricted_entry_by_its_words(client, team, restricted_entry):
    force_sign_in(client, team["viewer"])
    page = client.get(reverse("cases:chronology", args=[team["case"].pk]), {"q": "disclosed"}).content.decode()
    assert "No entries match these filters." in page
    assert "Restricted entry" not in page
    force_sign_in(client, team["owner"])
    page = client.get(reverse("cases:chronology", args=[team["case"].pk]), {"q": "disclosed"}).content.decode()
    assert SECRET in page


def test_the_api_omits_restricted_content(client, team, restricted_entry):
    headers = _bearer(team["viewer"])
    listing = client.get(f"/api/v1/cases/{team['case'].pk}/entries", headers=headers).json()
    one = client.get(f"/api/v1/cases/{team['case'].pk}/entries/{restricted_entry.pk}", headers=headers).json()
    revisions = client.get(f"/api/v1/cases/{team['case'].pk}/entries/{restricted_entry.pk}/revisions", headers=headers)
    searched = client.get(f"/api/v1/cases/{team['case'].pk}/entries?q=disclosed", headers=headers).json()
    for body in (listing, one, revisions.json(), searched):
        assert SECRET not in str(body) and "Secret summary" not in str(body)
    assert one["content_visible"] is False and one["summary"] is None and one["body"] is None
    assert one["placeholder"].startswith("Restricted entry, note recorded")
    assert searched["items"] == []


def test_the_api_shows_restricted_content_to_the_named_member(client, team, restricted_entry):
    url = f"/api/v1/cases/{team['case'].pk}/entries/{restricted_entry.pk}"
    body = client.get(url, headers=_bearer(team["owner"])).json()
    assert body["body"] == SECRET
    assert {person["name"] for person in body["restricted_to"]} == {"Olga Owner"}


def test_a_retracted_restricted_entry_shows_no_reason_to_those_not_named(client, team, restricted_entry):
    services.do_retract_entry(team["contributor"], restricted_entry, reason="Mentioned the child's new address")
    force_sign_in(client, team["viewer"])
    page = client.get(reverse("cases:chronology", args=[team["case"].pk])).content.decode()
    assert "new address" not in page and SECRET not in page


def test_only_case_members_can_be_named_on_a_restricted_entry(team):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.do_record_entry(
            team["owner"], team["case"], kind="note", summary="x", occurred_at=timezone.now(),
            restricted=True, restricted_to=[team["colleague"]],
        )  # fmt: skip
    assert not ChronologyEntry.objects.filter(summary="x").exists()


def test_system_administrators_and_auditors_do_not_see_case_content(client, cast, team):
    for role in ("system_admin", "auditor"):
        force_sign_in(client, cast[role])
        assert client.get(reverse("cases:list")).status_code == 404
        assert client.get(reverse("cases:detail", args=[team["case"].pk])).status_code == 404
