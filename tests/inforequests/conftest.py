import pytest

from roundtable.accounts.models import Role, Sector
from roundtable.cases.models import CaseMembership
from tests.cases.factories import MembershipFactory
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory

# Fictional: a name and words that must never appear in e-mails.
GIVEN, FAMILY = "Morwenna", "Quillfeather"


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Each test stores files in its own temporary directory."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


@pytest.fixture
def world(organisation, area):
    """A case about Morwenna owned by a council practitioner, with a police officer (may send),
    a panel chair and a viewer on it; a school and a health trust that are not, each with
    people who may answer for them; and a colleague of the owner who is not on the case."""
    police = OrganisationFactory(name="Northshire Police", area=area, sector=Sector.POLICE)
    school = OrganisationFactory(name="Millford Academy", area=area, sector=Sector.EDUCATION)
    health = OrganisationFactory(name="Northshire Health", area=area, sector=Sector.HEALTH)
    people = {
        "owner": UserFactory(organisation=organisation, full_name="Olga Owner"),
        "officer": UserFactory(organisation=police, full_name="Dev Constable", email="dev@police.test"),
        "chair": UserFactory(organisation=organisation, full_name="Charlie Chair", role=Role.PANEL_CHAIR),
        "viewer": UserFactory(organisation=organisation, full_name="Vera Viewer"),
        "colleague": UserFactory(organisation=organisation, full_name="Colin Colleague"),
        "teacher": UserFactory(organisation=school, full_name="Tess Teacher", email="tess@school.test"),
        "head": UserFactory(organisation=school, full_name="Hal Head", role=Role.ORG_ADMIN, email="head@school.test"),
        "school_auditor": UserFactory(organisation=school, full_name="Aude Auditor", role=Role.AUDITOR),
        "nurse": UserFactory(organisation=health, full_name="Nia Nurse", email="nia@health.test"),
        "matron": UserFactory(organisation=health, full_name="Mo Matron", email="mo@health.test"),
    }
    person = PersonFactory(given_name=GIVEN, family_name=FAMILY, created_by=people["owner"])
    case = CaseFactory(owner=people["owner"], person=person, title=f"Channel referral ({GIVEN})")
    MembershipFactory(case=case, user=people["officer"], role=CaseMembership.Role.CONTRIBUTOR)
    MembershipFactory(case=case, user=people["chair"], role=CaseMembership.Role.VIEWER)
    MembershipFactory(case=case, user=people["viewer"], role=CaseMembership.Role.VIEWER)
    return {**people, "case": case, "person": person, "police": police, "school": school, "health": health}


def send(world, actor=None, **overrides):
    """Send the usual request: to the school (anyone there) and to the nurse by name."""
    from roundtable.inforequests.services import do_create_request

    data = {
        "organisations": [world["school"]],
        "people": [world["nurse"]],
        "questions": ["hold_information", "involvement"],
        "custom_questions": ["Has Morwenna missed school this term?"],
        "lawful_basis": "channel_duty",
        "consent_position": "not_sought",
        "consent_detail": "Asking would prejudice the assessment.",
    }
    data.update(overrides)
    return do_create_request(actor or world["officer"], world["case"], **data)
