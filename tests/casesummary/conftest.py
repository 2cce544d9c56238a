import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from roundtable.accounts.models import Role
from roundtable.cases.models import CaseMembership
from roundtable.people.models import Address, AgencyInvolvement, PersonName, SafeguardingFlag
from tests.cases.factories import MembershipFactory, TaskFactory
from tests.factories import CaseFactory, EntryFactory, OrganisationFactory, PersonFactory, UserFactory

SECRET = "The child disclosed something only the owner may read"
SECRET_DOCUMENT = "Police disclosure under section 29"
RETRACTED_TEXT = "Wrong family: this visit was to another child"
ANSWER = "Known to the school nurse since 2024: the family asked for support."


@pytest.fixture(autouse=True)
def in_memory_files(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def police(area):
    return OrganisationFactory(name="Northshire Police", area=area)


@pytest.fixture
def team(organisation, police, other_organisation):
    """A case about Zoë Łukasiewicz and the people around it: the owner, a police contributor
    who writes a locked-down entry, a panel chair and a viewer on the case, a colleague of
    the owner who is not a member and an outsider elsewhere."""
    owner = UserFactory(organisation=organisation, full_name="Olga Owner", role=Role.PRACTITIONER)
    person = PersonFactory(
        given_name="Zoë", family_name="Łukasiewicz", created_by=owner, date_of_birth=timezone.localdate().replace(
            year=timezone.localdate().year - 15, month=3, day=3
        ),
    )  # fmt: skip
    case = CaseFactory(owner=owner, person=person, title="Concerns about online contact")
    contributor = UserFactory(organisation=police, full_name="Nguyễn Văn An", role=Role.PRACTITIONER)
    chair = UserFactory(organisation=organisation, full_name="Chandra Chair", role=Role.PANEL_CHAIR)
    viewer = UserFactory(organisation=organisation, full_name="Vera Viewer", role=Role.PRACTITIONER)
    MembershipFactory(case=case, user=contributor, role=CaseMembership.Role.CONTRIBUTOR)
    MembershipFactory(case=case, user=chair, role=CaseMembership.Role.CONTRIBUTOR)
    MembershipFactory(case=case, user=viewer, role=CaseMembership.Role.VIEWER)
    return {
        "case": case,
        "person": person,
        "owner": owner,
        "contributor": contributor,
        "chair": chair,
        "viewer": viewer,
        "colleague": UserFactory(organisation=organisation, full_name="Colin Colleague", role=Role.PRACTITIONER),
        "outsider": UserFactory(organisation=other_organisation, full_name="Otto Outsider", role=Role.PRACTITIONER),
    }


@pytest.fixture
def profile(team):
    person, owner = team["person"], team["owner"]
    PersonName.objects.create(person=person, kind=PersonName.Kind.ALIAS, given_name="محمد", family_name="")
    Address.objects.create(person=person, line1="12 Mill Lane", town="Northtown", postcode="NS1 4AB")
    SafeguardingFlag.objects.create(person=person, kind=SafeguardingFlag.Kind.CHILD_IN_NEED, recorded_by=owner)
    AgencyInvolvement.objects.create(
        person=person, organisation=team["contributor"].organisation, service="Youth diversion",
        status=AgencyInvolvement.Status.OPEN_ACTIVE, updated_by=owner,
    )  # fmt: skip
    return person


@pytest.fixture
def chronology(team):
    """An ordinary entry, an amended one, a retracted one and one locked down to the owner."""
    from roundtable.cases.services import do_amend_entry, do_retract_entry

    case, owner, contributor = team["case"], team["owner"], team["contributor"]
    start = timezone.now() - timedelta(days=10)
    first = EntryFactory(case=case, author=owner, summary="Home visit", body="Met Zoë and her mother at home.",
                         occurred_at=start)  # fmt: skip
    amended = EntryFactory(case=case, author=owner, summary="School call", body="The school reported absences.",
                           occurred_at=start + timedelta(days=1))  # fmt: skip
    do_amend_entry(owner, amended, expected_version=amended.version, summary="School call",
                   body="The school reported twelve absences this term.", occurred_at=amended.occurred_at,
                   reason="Exact number")  # fmt: skip
    retracted = EntryFactory(case=case, author=owner, summary="Visit", body=RETRACTED_TEXT,
                             occurred_at=start + timedelta(days=2))  # fmt: skip
    do_retract_entry(owner, retracted, reason="Recorded on the wrong case")
    secret = EntryFactory(case=case, author=contributor, summary="Secret summary", body=SECRET,
                          occurred_at=start + timedelta(days=3), is_restricted=True)  # fmt: skip
    secret.restricted_to.set([owner])
    return {"first": first, "amended": amended, "retracted": retracted, "secret": secret}


@pytest.fixture
def records(team):
    """A task, consent, a support plan with progress, a completed assessment, an answered
    information request (sent by the police contributor, not yet shared) and documents."""
    from tests.assessments.factories import completed_assessment
    from tests.documents.factories import DocumentFactory
    from tests.inforequests.factories import InformationRequestFactory, RecipientFactory, answered
    from tests.support.factories import ConsentFactory, InterventionFactory, UpdateFactory

    case, contributor = team["case"], team["contributor"]
    TaskFactory(case=case, title="Ask the school for attendance records", assignee=contributor)
    ConsentFactory(case=case, notes="Agreed at the family meeting.")
    intervention = InterventionFactory(case=case, behaviours="Spends long hours on extremist forums")
    UpdateFactory(intervention=intervention, text="Second mentoring session: talked about football.")
    assessment = completed_assessment(case, present={"Feelings of grievance and injustice": "high"},
                                      conclusion="Vulnerable; suitable for support")  # fmt: skip
    # Sent by the police contributor; health answered (not yet shared with the case), housing has not.
    health = OrganisationFactory(name="Northshire Health", area=case.area)
    nurse = UserFactory(organisation=health, full_name="Nadia Nurse", role=Role.PRACTITIONER)
    request = InformationRequestFactory(case=case, requested_by=contributor)
    recipient = RecipientFactory(request=request, organisation=health)
    answered(recipient, nurse, text=ANSWER)
    waiting = RecipientFactory(request=request, organisation=OrganisationFactory(name="Northshire Housing"))
    DocumentFactory(case=case, title="Referral form", original_name="referral.pdf")
    DocumentFactory(case=case, title=SECRET_DOCUMENT, original_name="disclosure.pdf", uploaded_by=contributor,
                    restricted_to=[contributor])  # fmt: skip
    return {"assessment": assessment, "request": request, "answered": recipient, "waiting": waiting}


def pdf_text(content: bytes) -> str:
    """All the text of a PDF on one line, normalised so shaped Arabic compares as typed."""
    import unicodedata

    reader = PdfReader(io.BytesIO(content))
    text = " ".join(unicodedata.normalize("NFKC", page.extract_text() or "") for page in reader.pages)
    return " ".join(text.split())  # lines wrap wherever the layout wraps them


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() or "" for page in reader.pages]


@pytest.fixture
def many(team):
    """Not a fixture of data: a helper to grow the case for query-count tests."""

    def grow(n):
        now = timezone.now()
        for i in range(n):
            entry = EntryFactory(case=team["case"], author=team["owner"] if i % 2 else team["contributor"],
                                 occurred_at=now - timedelta(hours=i), is_restricted=i % 5 == 0)  # fmt: skip
            if i % 5 == 0:
                entry.restricted_to.set([team["viewer"]])
            if i % 4 == 0:
                TaskFactory(case=team["case"], assignee=team["contributor"])

    return grow
