"""The referral pages drawn from the panel's own referral form (form builder): the same
protections as the built-in form, the Channel referral the workflow needs, and every
answer kept with the version it was given on."""

import copy

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case
from roundtable.channel.models import ChannelCase, Referral
from roundtable.channel.referral_form import problems
from roundtable.formbuilder import choices, services
from roundtable.formbuilder.models import PanelFormChoice, Submission
from roundtable.formbuilder.standard import CHANNEL_REFERRAL
from tests.conftest import force_sign_in
from tests.factories import AreaFactory, UserFactory
from tests.formbuilder.factories import published_definition
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db
REFER = "/refer/"


def answers(**overrides) -> dict:
    data = {
        "given_name": "Jordan",
        "family_name": "Ashdown",
        "date_of_birth-day": "2",
        "date_of_birth-month": "4",
        "date_of_birth-year": "2010",
        "sex": "male",
        "address-line1": "4 Mill Lane",
        "address-town": "Northtown",
        "address-postcode": "ns1 4ab",
        "concern": "Sharing extremist videos with classmates.",
        "indicators": ["material", "isolation"],
        "urgency": "urgent",
        "q_online": "yes",
        "q_platform": "A gaming chat server",
        "person_aware": "no",
        "family_aware": "yes",
        "consent": "not_asked",
        "referrer_name": "A Neighbour",
        "referrer_sector": "family_friend",
        "referrer_phone": "01632 960 001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_public_page_draws_the_panels_form_with_the_999_notice_and_exit_this_page(client, definition):
    page = client.get(REFER).content.decode()
    assert "Did this happen online?" in page  # the panel's own question
    assert "If someone is in immediate danger, call 999." in page
    assert 'data-module="govuk-exit-this-page"' in page
    assert 'name="website"' in page  # the honeypot
    assert "<script>" not in page and "style=" not in page


def test_a_referral_on_the_panels_form_makes_the_channel_referral_and_keeps_every_answer(
    client, panel, definition, prevent_officer
):
    response = client.post(REFER, answers(panel=panel.pk, form_version=definition.latest_version_id))
    assert response.status_code == 302 and response.url == "/refer/sent/"
    referral = Referral.objects.select_related("channel_case__case__person").get()
    sent = client.get("/refer/sent/").content.decode()
    assert referral.reference in sent and "Jordan" not in sent and "gaming" not in sent
    case = referral.channel_case.case
    assert case.person.full_name == "Jordan Ashdown" and case.person.addresses.get().postcode == "NS1 4AB"
    assert (referral.channel_case.urgency, referral.referrer_sector, referral.consent) == (
        "urgent",
        "family_friend",
        "not_asked",
    )
    assert referral.address == "4 Mill Lane\nNorthtown" and referral.indicators == ["material", "isolation"]
    submission = referral.form_submission
    assert submission.version == definition.latest_version and submission.case == case
    assert submission.status == Submission.Status.SUBMITTED and submission.created_by is None
    assert submission.answers["q_platform"] == "A gaming chat server"
    assert AuditEvent.objects.filter(action="submission.submitted", case_id=case.pk).exists()


def test_the_referral_page_shows_the_panels_questions_as_answered(client, panel, definition, prevent_officer):
    client.post(REFER, answers(panel=panel.pk))
    case = Case.objects.get()
    force_sign_in(client, panel.police_lead)
    page = client.get(reverse("channel:referral", args=[case.pk])).content.decode()
    assert "Every answer, as given" in page
    assert "Did this happen online?" in page and "A gaming chat server" in page
    assert "version 1" in page


def test_each_problem_is_named_against_its_question_and_nothing_typed_is_lost(client, panel, definition):
    data = answers(
        given_name="",
        **{"date_of_birth-day": "31", "date_of_birth-month": "2"},
        referrer_phone="",
        urgency="",
        q_platform="",
    )
    response = client.post(REFER, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    for message in (
        "Enter the person&#x27;s first name",  # the referral's own words for a needed answer
        "Date of birth must be a real date",
        "Enter an e-mail address or a phone number so the Prevent team can contact you",
        "Select how urgent this is",
        "Enter which website or app",
    ):
        assert message in page, message
    assert 'href="#f-given_name"' in page  # the error summary links to the question
    assert "Sharing extremist videos with classmates." in page
    assert not Referral.objects.exists() and not Submission.objects.exists()


def test_a_question_shown_only_for_some_answers_is_not_required_otherwise(client, panel, definition):
    response = client.post(REFER, answers(q_online="no", q_platform="ignored"))
    assert response.status_code == 302
    assert "q_platform" not in Referral.objects.get().form_submission.answers  # hidden: dropped, never stored


def test_the_honeypot_and_the_rate_limit_still_guard_the_panels_form(client, panel, definition, settings):
    assert client.post(REFER, answers(website="http://spam.example")).status_code == 302
    assert not Referral.objects.exists()
    settings.REFERRAL_RATE_LIMIT = 2  # the bot's post counts too
    assert client.post(REFER, answers()).status_code == 302
    assert client.post(REFER, answers()).status_code == 429
    assert Referral.objects.count() == 1


def test_the_version_the_page_was_drawn_with_is_kept_when_a_new_one_is_published(client, panel, definition):
    first = definition.latest_version
    doc = copy.deepcopy(first.schema)
    doc["sections"][1]["questions"][-2]["label"] = "Did any of this happen online?"
    definition = services.do_save_draft(None, definition, doc, expected_version=definition.version)
    services.do_publish_definition(None, definition)
    client.post(REFER, answers(form_version=first.pk))
    assert Referral.objects.get().form_submission.version == first


def test_without_a_chosen_form_the_built_in_form_is_used(client, panel):
    page = client.get(REFER).content.decode()
    assert 'name="date_of_birth_day"' in page and "Did this happen online?" not in page


def test_with_two_panels_the_referrer_first_says_where_the_person_lives(client, panel, definition):
    other = PanelFactory(area=AreaFactory(name="Southshire"), name="Southshire Channel Panel")
    page = client.get(REFER).content.decode()
    assert "Where does the person live?" in page and "Did this happen online?" not in page
    assert "Select where the person lives" in client.get(REFER + "?panel=").content.decode()
    assert "Did this happen online?" in client.get(f"{REFER}?panel={panel.pk}").content.decode()
    # Southshire has chosen no form: its referrers get the built-in form, for Southshire.
    southshire = client.get(f"{REFER}?panel={other.pk}").content.decode()
    assert 'name="date_of_birth_day"' in southshire and f'name="panel" value="{other.pk}"' in southshire
    client.post(REFER, answers(panel=panel.pk))
    assert ChannelCase.objects.get().panel == panel


def test_the_in_app_referral_uses_the_panels_form_with_the_referrers_details_filled_in(client, panel, definition):
    user = UserFactory(organisation__area=panel.area, full_name="Sam Teacher")
    force_sign_in(client, user)
    page = client.get("/channel/refer/").content.decode()
    assert "Did this happen online?" in page and 'value="Sam Teacher"' in page
    data = answers(referrer_name="Sam Teacher", referrer_phone="")
    response = client.post("/channel/refer/", data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.source == "in_app" and referral.form_submission.created_by == user


# --- Choosing the form -------------------------------------------------------------------------------
def test_a_form_without_the_questions_channel_needs_cannot_be_a_channel_referral_form():
    assert problems(CHANNEL_REFERRAL) == []
    doc = copy.deepcopy(CHANNEL_REFERRAL)
    doc["sections"][1]["questions"] = [q for q in doc["sections"][1]["questions"] if q["id"] != "concern"]
    doc["sections"][0]["questions"].append({"id": "q9", "kind": "person", "label": "Their profile"})
    found = problems(doc)
    assert "It has no question with the id 'concern' (the concern, long text)." in found
    assert any("'Their profile' is a person" in problem for problem in found)


def test_choosing_an_unsuitable_form_for_a_channel_panel_names_every_problem(panel):
    chair = panel.chair
    doc = copy.deepcopy(CHANNEL_REFERRAL)
    doc["sections"][1]["questions"][-1]["options"] = [{"value": "whenever", "label": "Whenever"}]
    unsuitable = published_definition(panel.area, doc)
    with pytest.raises(Exception) as refused:
        choices.do_choose_for_panel(chair, panel, "referral", unsuitable)
    assert "has options the Channel process does not know: whenever" in " ".join(refused.value.messages)
    assert not PanelFormChoice.objects.exists()


def test_publishing_a_version_that_would_break_a_panels_referral_form_is_refused(panel, definition):
    doc = copy.deepcopy(definition.latest_version.schema)
    doc["sections"][1]["questions"] = [q for q in doc["sections"][1]["questions"] if q["id"] != "urgency"]
    definition = services.do_save_draft(None, definition, doc, expected_version=definition.version)
    with pytest.raises(Exception) as refused:
        services.do_publish_definition(None, definition)
    assert "Northshire Channel Panel uses this form for its referrals" in " ".join(refused.value.messages)
    assert definition.versions.count() == 1
