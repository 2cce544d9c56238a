"""The Channel API and the panel's referral form: read the questions it asks, answer them by id,
checked exactly as the referral pages check them, every answer kept with the form version."""

import copy
import json

import pytest

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.channel.models import Referral
from roundtable.channel.services import REFERRAL_FIELDS
from roundtable.formbuilder.models import PanelFormChoice, Submission
from roundtable.formbuilder.standard import CHANNEL_REFERRAL, load_standard_forms
from tests.channel.conftest import own_form
from tests.channel.factories import referral_details
from tests.formbuilder.factories import published_definition
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db
# Token and user, the api.call audit event (one more on PostgreSQL: the chain lock), the panels,
# the chosen form with its version.
QUERIES_TO_READ_THE_FORM = 9


@pytest.fixture
def api(client):
    def call(user, method, path, body=None, query=None):
        _, raw = do_create_token(user, name="test", days=1)
        headers = {"Authorization": f"Bearer {raw}"}
        url = f"/api/v1/channel{path}"
        if method == "get":
            return client.get(url, data=query or {}, headers=headers)
        return client.post(url, data=body or {}, content_type="application/json", headers=headers)

    return call


@pytest.fixture
def referrer(cast):
    return cast["practitioner"]


def form_answers(**overrides) -> dict:
    """Every question of the panel's form answered by id, in the API's answer shapes."""
    answers = {
        "given_name": "Jordan",
        "family_name": "Ashdown",
        "date_of_birth": "2010-04-02",
        "sex": "male",
        "address": {"line1": "4 Mill Lane", "town": "Northtown", "postcode": "ns1 4ab"},
        "concern": "Sharing extremist videos with classmates.",
        "indicators": ["material", "isolation"],
        "urgency": "urgent",
        "q_online": "yes",
        "q_platform": "A gaming chat server",
        "person_aware": "no",
        "family_aware": "yes",
        "consent": "not_asked",
        "referrer_name": "A Teacher",
        "referrer_sector": "education",
        "referrer_email": "teacher@example.test",
    }
    answers.update(overrides)
    return {qid: value for qid, value in answers.items() if value is not None}


def problems(response) -> dict:
    assert response.status_code == 422, response.content
    return {tuple(error["loc"][1:]): error["msg"] for error in response.json()["errors"]}


# --- Reading the form ------------------------------------------------------------------------------
def test_the_form_lists_the_panels_own_questions_with_the_current_version(api, panel, definition, referrer):
    response = api(referrer, "get", "/referral-form", query={"panel_id": panel.pk})
    assert response.status_code == 200
    body = response.json()
    assert (body["panel_id"], body["form_id"], body["form_name"]) == (panel.pk, definition.pk, definition.name)
    assert body["version"] == definition.latest_version.number
    questions = {q["id"]: q for q in body["questions"]}
    assert questions["q_online"] == {
        "id": "q_online",
        "label": "Did this happen online?",
        "hint": "",
        "kind": "yes_no",
        "required": True,
        "well_known": False,
        "choices": [["yes", "Yes"], ["no", "No"]],
        "validation": {},
        "show_if": None,
        "questions": [],
    }
    assert questions["q_platform"]["show_if"] == {"question": "q_online", "op": "equals", "value": "yes"}
    assert questions["urgency"]["well_known"] is True and questions["urgency"]["required"] is True
    assert ["routine", "Routine"] in questions["urgency"]["choices"]


def test_a_panel_on_the_built_in_form_lists_the_built_in_fields_without_a_version(api, panel, referrer):
    body = api(referrer, "get", "/referral-form").json()
    assert (body["form_id"], body["form_name"], body["version"]) == (None, "Built-in referral form", None)
    questions = {q["id"]: q for q in body["questions"]}
    assert list(questions) == list(REFERRAL_FIELDS)
    assert (questions["date_of_birth"]["kind"], questions["concern"]["kind"]) == ("date", "long_text")
    assert questions["indicators"]["kind"] == "multiple_choice"
    assert questions["given_name"]["required"] and not questions["other_names"]["required"]
    assert questions["other_names"]["label"] == "Other names they are known by"


def test_a_panel_that_does_not_take_referrals_or_does_not_exist_is_404(api, panel, area, referrer):
    closed = PanelFactory(area=area, name="Closed panel", is_active=False)
    for panel_id in (closed.pk, 999_999):
        response = api(referrer, "get", "/referral-form", query={"panel_id": panel_id})
        assert response.status_code == 404


def test_with_two_panels_reading_the_form_must_name_one(api, panel, area, referrer):
    other = PanelFactory(area=area, name="Second Channel panel")
    response = api(referrer, "get", "/referral-form")
    assert f"{other.pk} ({other.name})" in problems(response)[("panel_id",)]


def test_someone_who_may_not_refer_gets_404_before_the_body_is_read(api, panel, definition, cast):
    for role in ("system_admin", "auditor"):
        assert api(cast[role], "get", "/referral-form", query={"panel_id": panel.pk}).status_code == 404
        response = api(cast[role], "post", "/referrals", {"answers": "not an object", "panel_id": "x"})
        assert response.status_code == 404


# --- Referring with answers ---------------------------------------------------------------------------
def test_a_referral_with_answers_is_kept_with_the_form_version(api, panel, definition, referrer):
    version = definition.latest_version
    body = {"answers": form_answers(), "form_version": version.number}
    response = api(referrer, "post", "/referrals", body)
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert response.json() == {"reference": referral.reference}
    # The well-known answers are the Channel referral, as from the pages.
    assert (referral.source, referral.given_name, referral.urgency) == ("api", "Jordan", "urgent")
    assert (referral.address, referral.postcode) == ("4 Mill Lane\nNorthtown", "NS1 4AB")
    assert referral.date_of_birth.isoformat() == "2010-04-02"
    # Every answer, the panel's own too, kept with the version it was given on.
    submission = Submission.objects.get()
    assert referral.form_submission == submission
    assert (submission.version, submission.case_id) == (version, referral.channel_case.case_id)
    assert submission.answers["q_online"] == "yes"
    assert submission.answers["q_platform"] == "A gaming chat server"
    actions = set(AuditEvent.objects.filter(actor_id=referrer.pk).values_list("action", flat=True))
    assert {"channel.referral_submitted", "submission.submitted"} <= actions


def test_built_in_fields_answer_the_questions_with_their_ids(api, panel, definition, referrer):
    body = {**referral_details(), "answers": {"q_online": "no"}}
    assert api(referrer, "post", "/referrals", body).status_code == 201
    referral = Referral.objects.get()
    assert (referral.address, referral.postcode) == ("12 Mill Lane\nNorthtown", "NS1 4AB")
    answers = Submission.objects.get().answers
    assert answers["address"] == {"line1": "12 Mill Lane", "line2": "", "town": "Northtown", "postcode": "NS1 4AB"}
    assert (answers["given_name"], answers["q_online"]) == ("Jordan", "no")
    assert "q_platform" not in answers


def test_a_body_without_the_forms_own_required_question_is_refused_naming_it(api, panel, definition, referrer):
    response = api(referrer, "post", "/referrals", referral_details())
    assert problems(response) == {("answers", "q_online"): "Select did this happen online?"}
    assert not Referral.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(
    ("answers", "where", "words"),
    [
        ({"q_colour": "blue"}, ("answers", "q_colour"), "has no question 'q_colour'"),
        ({"urgency": None}, ("answers", "urgency"), "Select how urgent this is"),
        ({"q_platform": None}, ("answers", "q_platform"), "Enter which website or app"),
        ({"urgency": "whenever"}, ("answers", "urgency"), "from the options given"),
        ({"indicators": ["telepathy"]}, ("answers", "indicators"), "from the options given"),
        ({"q_online": ["yes"]}, ("answers", "q_online"), "Choose did this happen online?"),
        ({"date_of_birth": "next tuesday"}, ("answers", "date_of_birth"), "must be a real date"),
        ({"given_name": {"first": "Jordan"}}, ("answers", "given_name"), "as text"),
        ({"address": "4 Mill Lane"}, ("answers", "address"), "as an address"),
        ({"q_online": "no"}, ("answers", "q_platform"), "asked only when 'q_online' is 'yes'"),
    ],
    ids=[
        "unknown question",
        "required well-known answer missing",
        "required own answer missing",
        "choice not among the options",
        "several choices not among the options",
        "wrong kind for yes or no",
        "not a date",
        "not text",
        "not an address",
        "answer to a question not asked",
    ],
)
def test_each_bad_answer_is_a_422_naming_the_question(api, panel, definition, referrer, answers, where, words):
    response = api(referrer, "post", "/referrals", {"answers": form_answers(**answers)})
    found = problems(response)
    assert list(found) == [where]
    assert words in found[where]
    assert not Referral.objects.exists() and not Submission.objects.exists()


def test_the_same_question_given_twice_or_a_stale_version_is_refused(api, panel, definition, referrer):
    body = {"given_name": "Jo", "answers": form_answers(), "form_version": definition.latest_version.number + 1}
    found = problems(api(referrer, "post", "/referrals", body))
    assert "Give 'given_name' once" in found[("given_name",)]
    assert "is now version" in found[("form_version",)]


def test_a_built_in_field_the_panels_form_does_not_ask_is_refused_not_dropped(api, panel, referrer):
    doc = copy.deepcopy(CHANNEL_REFERRAL)
    doc["sections"][0]["questions"] = [q for q in doc["sections"][0]["questions"] if q["id"] != "other_names"]
    definition = published_definition(panel.area, doc)
    PanelFormChoice.objects.create(panel=panel, purpose="referral", definition=definition)
    found = problems(api(referrer, "post", "/referrals", referral_details(other_names="Jay")))
    assert list(found) == [("other_names",)]
    assert "has no question 'other_names'" in found[("other_names",)]


# --- Existing clients ----------------------------------------------------------------------------------
def test_a_body_of_built_in_fields_still_works_on_the_standard_form(api, panel, referrer):
    load_standard_forms(panel.area)  # the standard Channel referral becomes the area's referral form
    response = api(referrer, "post", "/referrals", referral_details())
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (referral.address, referral.postcode, referral.school_or_employer) == (
        "12 Mill Lane\nNorthtown",
        "NS1 4AB",
        "Millford Academy",
    )
    assert referral.indicators == ["material", "behaviour_change"]
    submission = Submission.objects.get()
    assert submission.version.definition.standard_key == "channel_referral"
    assert submission.answers["referrer_email"] == "teacher@example.test"


def test_on_the_built_in_form_answers_are_the_built_in_fields_by_name(api, panel, referrer):
    details = referral_details()
    body = {"answers": {"given_name": details.pop("given_name"), "urgency": "urgent"}, **details}
    del body["urgency"]
    assert api(referrer, "post", "/referrals", body).status_code == 201
    referral = Referral.objects.get()
    assert (referral.given_name, referral.urgency, referral.form_submission) == ("Jordan", "urgent", None)
    refused = api(referrer, "post", "/referrals", {**referral_details(), "answers": {"q_online": "yes"}})
    assert "has no question 'q_online'" in problems(refused)[("answers", "q_online")]
    wrong = api(referrer, "post", "/referrals", {**referral_details(), "answers": {"approximate_age": "about ten"}})
    assert list(problems(wrong)) == [("answers", "approximate_age")]


def test_reading_the_form_costs_the_same_few_queries_however_many_questions(
    client, panel, referrer, django_assert_max_num_queries
):
    _, raw = do_create_token(referrer, name="test", days=1)
    small = own_form(panel.area)
    doc = copy.deepcopy(CHANNEL_REFERRAL)
    doc["name"] = "Long referral form"
    doc["sections"][1]["questions"] += [
        {"id": f"q_extra{n}", "kind": "short_text", "label": f"Extra question {n}"} for n in range(40)
    ]
    large = published_definition(panel.area, doc)
    choice = PanelFormChoice.objects.create(panel=panel, purpose="referral", definition=small)
    for definition in (small, large):
        PanelFormChoice.objects.filter(pk=choice.pk).update(definition=definition)
        with django_assert_max_num_queries(QUERIES_TO_READ_THE_FORM):
            response = client.get(
                "/api/v1/channel/referral-form", {"panel_id": panel.pk}, headers={"Authorization": f"Bearer {raw}"}
            )
        asked = [q for section in definition.latest_version.schema["sections"] for q in section["questions"]]
        assert [q["id"] for q in response.json()["questions"]] == [q["id"] for q in asked]


def test_a_form_encoded_body_carries_the_answers_as_a_json_string(client, panel, definition, referrer):
    _, raw = do_create_token(referrer, name="test", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    body = {"panel_id": panel.pk, "answers": json.dumps(form_answers())}
    response = client.post("/api/v1/channel/referrals", data=body, headers=headers)
    assert response.status_code == 201
    assert Submission.objects.get().answers["q_platform"] == "A gaming chat server"
    refused = client.post("/api/v1/channel/referrals", data={"answers": "{not json"}, headers=headers)
    assert refused.status_code == 422
    assert "answers must be a JSON object" in refused.json()["errors"][0]["msg"]


def test_a_postcode_sent_as_an_answer_of_its_own_is_pointed_to_the_address(api, panel, definition, referrer):
    found = problems(api(referrer, "post", "/referrals", {"answers": form_answers(postcode="NS1 4AB")}))
    assert "part of the 'address' answer" in found[("answers", "postcode")]
