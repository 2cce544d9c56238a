"""Factor lists: the 22 defaults per area, made once; administrators rename, add, retire."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from roundtable.accounts.models import Role
from roundtable.assessments import services
from roundtable.assessments.defaults import DEFAULT_FACTORS
from roundtable.assessments.models import Factor, FactorRating
from roundtable.core.conflicts import EditConflict
from tests.assessments.factories import completed_assessment
from tests.factories import AreaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_area_gets_the_22_default_factors_once_in_framework_order(area):
    first = services.factors_for(area)
    again = services.factors_for(area)
    assert [f.pk for f in first] == [f.pk for f in again]
    assert Factor.objects.filter(area=area).count() == 22
    assert [f.label for f in first] == [label for _, _, label in DEFAULT_FACTORS]
    counts = {d: sum(1 for f in first if f.dimension == d) for d in ("engagement", "intent", "capability")}
    assert counts == {"engagement": 13, "intent": 6, "capability": 3}


def test_each_area_has_its_own_copy(area):
    other = AreaFactory(name="Southshire")
    services.factors_for(area)
    services.factors_for(other)
    assert Factor.objects.filter(area=other).count() == 22
    assert not set(Factor.objects.filter(area=area).values_list("pk", flat=True)) & set(
        Factor.objects.filter(area=other).values_list("pk", flat=True)
    )


def test_retiring_every_default_does_not_bring_them_back(area, cast):
    for factor in services.factors_for(area):
        services.do_retire_factor(cast["panel_chair"], factor)
    assert services.factors_for(area) == []
    assert Factor.objects.filter(area=area).count() == 22


def test_a_chair_renames_adds_and_retires_factors_of_their_own_area(area, cast):
    chair = cast["panel_chair"]
    threat = next(f for f in services.factors_for(area) if f.label == "Feeling under threat")
    services.do_update_factor(chair, threat, threat.version, label="Feels threatened", guidance="Look for fear")
    added = services.do_add_factor(chair, area, dimension="intent", label="Online activity", guidance="")
    services.do_retire_factor(chair, Factor.objects.get(area=area, label="Criminal capability"))
    labels = [f.label for f in services.factors_for(area)]
    assert "Feels threatened" in labels and "Criminal capability" not in labels
    intent = [f.label for f in services.factors_for(area) if f.dimension == "intent"]
    assert intent[-1] == "Online activity" == added.label


@pytest.mark.parametrize("role", ["practitioner", "panel_admin", "org_admin", "auditor", "other_org_admin"])
def test_only_chairs_and_system_administrators_manage_factors(area, cast, role):
    with pytest.raises(PermissionDenied):
        services.do_add_factor(cast[role], area, dimension="intent", label="Something")


def test_a_chair_of_another_area_cannot_change_our_factors(area, other_organisation):
    other_chair = UserFactory(organisation=other_organisation, role=Role.PANEL_CHAIR)
    with pytest.raises(PermissionDenied):
        services.do_add_factor(other_chair, area, dimension="intent", label="Something")


def test_a_system_administrator_manages_any_area(cast):
    elsewhere = AreaFactory(name="Westshire")
    factor = services.do_add_factor(cast["system_admin"], elsewhere, dimension="capability", label="Drone skills")
    assert factor.area == elsewhere and Factor.objects.filter(area=elsewhere).count() == 23


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("  ", "Enter the factor's name"),
        ("x" * 201, "200 characters or fewer"),
        ("harmful OBJECTIVES", "Intent already has a factor called “harmful OBJECTIVES”"),
    ],
)
def test_a_bad_factor_name_is_refused_with_a_clear_message(area, cast, label, message):
    with pytest.raises(ValidationError) as error:
        services.do_add_factor(cast["panel_chair"], area, dimension="intent", label=label)
    assert message in error.value.message_dict["label"][0]


def test_two_administrators_renaming_at_once_get_a_conflict_not_a_lost_edit(area, cast):
    factor = services.factors_for(area)[0]
    services.do_update_factor(cast["panel_chair"], factor, factor.version, label="First", guidance="")
    with pytest.raises(EditConflict) as clash:
        services.do_update_factor(cast["system_admin"], factor, factor.version, label="Second", guidance="")
    assert [(c.theirs, c.yours) for c in clash.value.conflicts] == [("First", "Second")]


def test_a_retired_factor_stays_on_completed_assessments_and_is_not_asked_again(team):
    case, owner = team["case"], team["owner"]
    done = completed_assessment(case, present={"Criminal capability": "low"})
    criminal = Factor.objects.get(area=case.area, label="Criminal capability")
    services.do_retire_factor(owner, criminal)
    assert FactorRating.objects.filter(assessment=done, factor=criminal, present=True).exists()
    draft = services.do_start_assessment(owner, case)
    assert not FactorRating.objects.filter(assessment=draft, factor=criminal).exists()
    assert FactorRating.objects.filter(assessment=draft).count() == 21


def test_renaming_a_factor_does_not_change_what_a_completed_assessment_says(team):
    case = team["case"]
    done = completed_assessment(case, present={"Harmful objectives": "high"})
    factor = Factor.objects.get(area=case.area, label="Harmful objectives")
    services.do_update_factor(team["owner"], factor, factor.version, label="Harmful aims", guidance="")
    labels = [r.label for r in services.ratings_of(done)]
    assert "Harmful objectives" in labels and "Harmful aims" not in labels


def test_moving_a_factor_up_swaps_it_with_the_one_before(area, cast):
    engagement = [f for f in services.factors_for(area) if f.dimension == "engagement"]
    services.do_move_factor(cast["panel_chair"], engagement[1], "up")
    moved = [f.label for f in services.factors_for(area) if f.dimension == "engagement"]
    assert moved[:2] == [engagement[1].label, engagement[0].label]
