"""The public referral page, the in-app referral form and the Prevent team's queue."""

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case, CaseMembership
from roundtable.channel.models import ChannelCase, Referral
from roundtable.notifications.models import Notice
from tests.channel.factories import submit
from tests.conftest import force_sign_in
from tests.factories import AreaFactory, PersonFactory, UserFactory
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db
REFER = "/refer/"


def form_data(**overrides) -> dict:
    data = {
        "given_name": "Jordan",
        "family_name": "Ashdown",
        "date_of_birth_day": "2",
        "date_of_birth_month": "4",
        "date_of_birth_year": "2010",
        "sex": "male",
        "postcode": "ns1 4ab",
        "concern": "Sharing extremist videos with classmates.",
        "indicators": ["material", "isolation"],
        "urgency": "urgent",
        "referrer_name": "A Neighbour",
        "referrer_sector": "family_friend",
        "referrer_phone": "01632 960 001",
        "person_aware": "no",
        "family_aware": "yes",
        "consent": "not_asked",
    }
    data.update(overrides)
    return data


def test_the_public_page_needs_no_sign_in_and_warns_about_immediate_danger(client, panel):
    response = client.get(REFER)
    assert response.status_code == 200
    page = response.content.decode()
    assert "If someone is in immediate danger, call 999." in page
    assert 'data-module="govuk-exit-this-page"' in page
    assert "<script>" not in page and "style=" not in page  # CSP: no inline scripts or styles


def test_a_public_referral_is_acknowledged_with_a_reference_only(client, panel):
    response = client.post(REFER, form_data())
    assert response.status_code == 302 and response.url == "/refer/sent/"
    referral = Referral.objects.get()
    sent = client.get("/refer/sent/").content.decode()
    assert referral.reference in sent
    for given in ("Jordan", "Ashdown", "extremist", "Neighbour", "01632"):
        assert given not in sent
    # The acknowledgement is shown once: reloading it shows nothing back.
    assert client.get("/refer/sent/").status_code == 302


def test_a_public_referral_creates_the_person_case_and_queue_entry(client, panel, prevent_officer):
    client.post(REFER, form_data())
    referral = Referral.objects.select_related("channel_case__case__person").get()
    channel_case = referral.channel_case
    case = channel_case.case
    assert (case.kind, case.owner, case.area) == (Case.Kind.CHANNEL, panel.police_lead, panel.area)
    assert case.person.full_name == "Jordan Ashdown"
    assert case.person.addresses.get().postcode == "NS1 4AB"
    assert (channel_case.state, channel_case.age_group, channel_case.urgency) == ("referred", "child", "urgent")
    roles = dict(CaseMembership.objects.filter(case=case).values_list("user_id", "role"))
    assert roles == {panel.police_lead_id: "owner", prevent_officer.pk: "contributor"}
    assert referral.indicators == ["material", "isolation"] and referral.source == "public"
    notices = Notice.objects.filter(recipient=prevent_officer)
    assert notices.count() == 1 and "Jordan" not in notices.get().message
    audit = AuditEvent.objects.get(action="channel.referral_submitted")
    assert audit.actor_id is None and audit.actor_label == "public referral page"


def test_bad_input_gets_a_specific_error_for_each_field_and_keeps_what_was_typed(client, panel):
    data = form_data(
        given_name="",
        date_of_birth_day="31",
        date_of_birth_month="2",
        approximate_age="",
        postcode="not a postcode",
        referrer_phone="",
        referrer_email="",
        urgency="",
    )
    response = client.post(REFER, data)
    assert response.status_code == 200
    page = response.content.decode()
    for message in (
        "Enter the person&#x27;s first name",
        "Date of birth must be a real date",
        "Enter a real postcode, like NS1 4AB",
        "Enter an e-mail address or a phone number so the Prevent team can contact you",
        "Select how urgent this is",
    ):
        assert message in page
    assert "Sharing extremist videos with classmates." in page  # nothing typed is lost
    assert not Referral.objects.exists()


def test_a_date_of_birth_or_an_approximate_age_is_needed_but_not_both(client, panel):
    neither = form_data(date_of_birth_day="", date_of_birth_month="", date_of_birth_year="")
    assert "or their approximate age if you do not know it" in client.post(REFER, neither).content.decode()
    both = form_data(approximate_age="15")
    assert "Give a date of birth or an approximate age, not both" in client.post(REFER, both).content.decode()
    adult = form_data(date_of_birth_day="", date_of_birth_month="", date_of_birth_year="", approximate_age="30")
    assert client.post(REFER, adult).status_code == 302
    assert ChannelCase.objects.get().age_group == "adult"


def test_the_honeypot_is_acknowledged_but_nothing_is_stored_and_it_is_audited(client, panel):
    response = client.post(REFER, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert "Your reference number" in client.get("/refer/sent/").content.decode()
    assert not Referral.objects.exists() and not Case.objects.exists()
    assert AuditEvent.objects.filter(action="channel.referral_honeypot").count() == 1


def test_the_public_page_is_rate_limited_per_client_address(client, panel, settings):
    settings.REFERRAL_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(REFER, form_data()).status_code == 302
    response = client.post(REFER, form_data())
    assert response.status_code == 429
    assert "Too many referrals have been sent from this connection" in response.content.decode()
    assert Referral.objects.count() == 2
    # Another address is not held back by this one.
    assert client.post(REFER, form_data(), REMOTE_ADDR="192.0.2.77").status_code == 302


def test_with_two_panels_the_referrer_chooses_the_area(client, panel):
    other = PanelFactory(area=AreaFactory(name="Southshire"), name="Southshire Channel Panel")
    page = client.get(REFER).content.decode()
    assert "Where does the person live?" in page and "Southshire" in page
    assert "Select where the person lives" in client.post(REFER, form_data()).content.decode()
    client.post(REFER, form_data(panel=str(other.pk)))
    assert ChannelCase.objects.get().panel == other


def test_a_panel_without_a_police_lead_takes_no_referrals(client, panel):
    panel.police_lead = None
    panel.save()
    assert "Referrals cannot be made online at the moment" in client.get(REFER).content.decode()


def test_an_in_app_referral_fills_in_the_referrer_and_does_not_add_them_to_the_case(client, panel, cast):
    teacher = cast["practitioner"]
    force_sign_in(client, teacher)
    page = client.get(reverse("channel:refer")).content.decode()
    assert teacher.email in page
    data = form_data(referrer_name=teacher.full_name, referrer_sector="education", referrer_email=teacher.email)
    response = client.post(reverse("channel:refer"), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.source, referral.submitted_by) == ("in_app", teacher)
    assert not CaseMembership.objects.filter(user=teacher).exists()


def test_the_queue_lists_unscreened_first_then_urgent_then_longest_waiting(client, panel, prevent_officer):
    routine = submit(panel, given_name="Routine")
    urgent = submit(panel, given_name="Urgent", urgency="urgent")
    screened = submit(panel, given_name="Screened", urgency="urgent")
    from roundtable.channel.services import do_channel_transition
    from tests.channel.factories import SCREENING_CLEAR

    do_channel_transition(prevent_officer, screened, "screen_pass_to_local_authority", SCREENING_CLEAR)
    force_sign_in(client, prevent_officer)
    page = client.get(reverse("channel:queue")).content.decode()
    order = [page.index(name) for name in ("Urgent Ashdown", "Routine Ashdown", "Screened Ashdown")]
    assert order == sorted(order)
    assert routine.case.reference in page and urgent.case.reference in page


def test_the_referral_page_shows_matches_and_held_by_notices_to_the_prevent_team(client, panel, prevent_officer):
    from datetime import date

    # One existing profile the officer can see (through a case they are on), one held elsewhere.
    seen = submit(panel, given_name="Jordan", family_name="Ashdown").case.person
    elsewhere = UserFactory()
    hidden = PersonFactory(
        given_name="Jordan", family_name="Ashdown", created_by=elsewhere, date_of_birth=date(2010, 4, 2)
    )
    from tests.factories import CaseFactory

    CaseFactory(owner=elsewhere, person=hidden)
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    page = client.get(reverse("channel:referral", args=[channel_case.case_id])).content.decode()
    assert reverse("people:detail", args=[seen.pk]) in page
    assert reverse("people:detail", args=[channel_case.case.person_id]) not in page  # not its own profile
    assert f"A matching profile is held by <strong>{elsewhere.organisation.name}</strong>" in page
    assert reverse("people:detail", args=[hidden.pk]) not in page
