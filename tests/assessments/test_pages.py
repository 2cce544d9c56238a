"""Assessment pages: the case's section with its chart, the form, completing, reading."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.assessments import services
from roundtable.assessments.models import Assessment, FactorRating
from roundtable.audit.models import AuditEvent
from tests.assessments.factories import answer_all, completed_assessment, factor_id
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db


def _form_data(assessment, **overrides):
    """What the edit page posts for ``assessment`` as it is saved now."""
    data = {"version": assessment.version, "assessed_day": assessment.assessed_on.day}
    data |= {"assessed_month": assessment.assessed_on.month, "assessed_year": assessment.assessed_on.year}
    for name in services.TEXT_FIELDS:
        data[name] = getattr(assessment, name)
    for rating in FactorRating.objects.filter(assessment=assessment):
        prefix = f"f{rating.factor_id}"
        data[f"{prefix}_present"] = {True: "yes", False: "no"}.get(rating.present, "")
        data[f"{prefix}_rating"] = rating.rating
        data[f"{prefix}_evidence"] = rating.evidence
    return {key: value for key, value in {**data, **overrides}.items() if value not in (None, "")}


def test_the_case_section_shows_a_chart_and_a_table_of_each_dimension_over_time(client, team):
    case = team["case"]
    completed_assessment(case, days_ago=60, present={"Feeling under threat": "high", "Harmful objectives": "high"})
    completed_assessment(case, days_ago=30, present={"Feeling under threat": "medium"})
    force_sign_in(client, team["viewer"])
    response = client.get(reverse("assessments:case_assessments", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 3 and "<script" not in html.split("<main")[1].split("</main>")[0]
    assert ' style="' not in html  # the CSP forbids inline styles
    assert "Intent fell from 17% on" in html and "to 0% on" in html
    # The accessible table holds the same numbers as the charts.
    assert re.search(r"<td[^>]*>8%</td>\s*<td[^>]*>17%</td>\s*<td[^>]*>0%</td>", html)
    assert "Start an assessment" not in html  # a viewer reads only
    assert AuditEvent.objects.filter(
        action="case.assessments_viewed", actor_id=team["viewer"].pk, case_id=case.pk
    ).exists()


def test_assessments_is_a_section_of_the_case(client, team):
    force_sign_in(client, team["owner"])
    html = client.get(reverse("cases:detail", args=[team["case"].pk])).content.decode()
    assert reverse("assessments:case_assessments", args=[team["case"].pk]) in html


def test_someone_who_cannot_see_the_case_gets_404_everywhere(client, team):
    done = completed_assessment(team["case"])
    force_sign_in(client, team["outsider"])
    for url in (
        reverse("assessments:case_assessments", args=[team["case"].pk]),
        reverse("assessments:detail", args=[done.pk]),
        reverse("assessments:edit", args=[done.pk]),
        reverse("assessments:correct", args=[done.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_starting_an_assessment_leads_to_the_form_with_every_factor(client, team):
    force_sign_in(client, team["contributor"])
    response = client.post(
        reverse("assessments:start", args=[team["case"].pk]),
        {"assessed_day": "3", "assessed_month": "3", "assessed_year": str(timezone.localdate().year - 1)},
    )
    draft = Assessment.objects.get(case=team["case"])
    assert response.status_code == 302 and response.url == reverse("assessments:edit", args=[draft.pk])
    html = client.get(response.url).content.decode()
    assert html.count('class="govuk-radios__input" id="id_f') == 22 * 5  # yes, no, and 3 ratings each
    assert "Feelings of grievance and injustice" in html and "Criminal capability" in html


def test_a_future_date_is_refused_with_a_gov_uk_error(client, team):
    force_sign_in(client, team["owner"])
    soon = timezone.localdate() + timedelta(days=2)
    response = client.post(
        reverse("assessments:start", args=[team["case"].pk]),
        {"assessed_day": soon.day, "assessed_month": soon.month, "assessed_year": soon.year},
    )
    html = response.content.decode()
    assert "There is a problem" in html and "The date of the assessment must be today or in the past" in html
    assert not Assessment.objects.exists()


def test_saving_a_draft_keeps_every_answer_even_with_a_bad_date(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    threat = factor_id(draft, "Feeling under threat")
    force_sign_in(client, team["owner"])
    data = _form_data(
        draft,
        assessed_day="31",
        assessed_month="2",
        **{f"f{threat}_present": "yes", f"f{threat}_rating": "medium", f"f{threat}_evidence": "Told a teacher"},
        conclusion="Early days",
        action="save",
    )
    response = client.post(reverse("assessments:edit", args=[draft.pk]), data)
    html = response.content.decode()
    assert response.status_code == 422 and "The date of the assessment must be a real date" in html
    assert 'href="#id_assessed_day"' in html  # the summary links to the date
    rating = FactorRating.objects.get(assessment=draft, factor_id=threat)
    assert (rating.present, rating.rating, rating.evidence) == (True, "medium", "Told a teacher")
    assert Assessment.objects.get(pk=draft.pk).conclusion == "Early days"
    assert 'name="assessed_day" type="text" inputmode="numeric" value="31"' in html  # what they typed is kept


def test_completing_with_gaps_lists_each_problem_linked_to_its_field(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    threat = factor_id(draft, "Feeling under threat")
    force_sign_in(client, team["owner"])
    data = _form_data(draft, **{f"f{threat}_present": "yes"}, action="complete")
    response = client.post(reverse("assessments:edit", args=[draft.pk]), data)
    html = response.content.decode()
    assert response.status_code == 422
    summary = html.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    assert summary.count("<li>") == 21 + 2 + 1  # 21 unanswered, rating and evidence, conclusion
    assert f'href="#id_f{threat}_rating_0"' in summary and f'href="#id_f{threat}_evidence"' in summary
    assert "Enter the overall conclusion" in summary
    assert Assessment.objects.get(pk=draft.pk).is_draft


def test_completing_a_full_draft_makes_it_read_only(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    services.do_save_draft(
        team["owner"], draft, draft.version, ratings=answer_all(draft, {"Criminal capability": "high"})
    )
    draft.refresh_from_db()
    force_sign_in(client, team["owner"])
    data = _form_data(draft, conclusion="Appropriate for Channel", action="complete")
    response = client.post(reverse("assessments:edit", args=[draft.pk]), data)
    assert response.status_code == 302 and response.url == reverse("assessments:detail", args=[draft.pk])
    done = Assessment.objects.get(pk=draft.pk)
    assert done.status == "completed" and done.capability_score == 33
    html = client.get(response.url).content.decode()
    assert "Continue the draft" not in html and "Correct this assessment" in html
    assert client.get(reverse("assessments:edit", args=[draft.pk])).status_code == 302  # back to the record


def test_a_stale_form_shows_the_conflict_and_keeps_the_persons_text(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    stale = _form_data(draft, conclusion="Mine", action="save")
    services.do_save_draft(team["contributor"], draft, draft.version, fields={"conclusion": "Theirs"})
    force_sign_in(client, team["owner"])
    response = client.post(reverse("assessments:edit", args=[draft.pk]), stale)
    html = response.content.decode()
    assert response.status_code == 409 and "Someone else changed this assessment" in html
    assert "Mine</textarea>" in html and Assessment.objects.get(pk=draft.pk).conclusion == "Theirs"


def test_a_viewer_reads_a_draft_but_cannot_edit_it(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    force_sign_in(client, team["viewer"])
    assert client.get(reverse("assessments:detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("assessments:edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("assessments:discard", args=[draft.pk]), {"version": draft.version}).status_code == 404


def test_the_form_shows_last_times_answer_beside_each_factor_and_the_changes(client, team):
    case = team["case"]
    completed_assessment(case, days_ago=20, present={"Harmful objectives": "high"})
    draft = services.do_start_assessment(team["owner"], case)
    services.do_save_draft(team["owner"], draft, draft.version, ratings=answer_all(draft))
    force_sign_in(client, team["owner"])
    html = client.get(reverse("assessments:edit", args=[draft.pk])).content.decode()
    assert "Last assessment: present (high)." in html
    assert "<strong>Harmful objectives</strong> (Intent): present, high → not present" in html


def test_discarding_a_draft_after_confirming(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    force_sign_in(client, team["contributor"])
    assert "This cannot be undone" in client.get(reverse("assessments:discard", args=[draft.pk])).content.decode()
    response = client.post(reverse("assessments:discard", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 302 and not Assessment.objects.exists()


def test_correcting_starts_a_draft_copy(client, team):
    done = completed_assessment(team["case"], present={"Harmful objectives": "high"})
    force_sign_in(client, team["contributor"])
    response = client.post(reverse("assessments:correct", args=[done.pk]), {"version": done.version})
    correction = Assessment.objects.get(corrects=done)
    assert response.url == reverse("assessments:edit", args=[correction.pk])
    assert "This is a correction of the assessment of" in client.get(response.url).content.decode()


# --- Factor settings --------------------------------------------------------------------------
def test_a_chair_reaches_their_areas_factor_list_from_the_menu(client, cast, area):
    force_sign_in(client, cast["panel_chair"])
    home = client.get("/").content.decode()
    assert reverse("assessments:factor_areas") in home
    html = client.get(reverse("assessments:factor_areas")).content.decode()
    assert reverse("assessments:factor_add", args=[area.pk]) in html
    assert html.count('<tr class="govuk-table__row">') == 22 + 3  # 22 factors, 3 header rows


def test_a_practitioner_has_no_factor_menu_and_gets_404(client, cast, area):
    force_sign_in(client, cast["practitioner"])
    assert reverse("assessments:factor_areas") not in client.get("/").content.decode()
    assert client.get(reverse("assessments:factors", args=[area.pk])).status_code == 404


def test_adding_a_factor_with_no_name_says_so(client, cast, area):
    force_sign_in(client, cast["panel_chair"])
    response = client.post(reverse("assessments:factor_add", args=[area.pk]), {"dimension": "intent", "label": ""})
    assert "Enter the factor&#x27;s name" in response.content.decode()
    response = client.post(
        reverse("assessments:factor_add", args=[area.pk]), {"dimension": "intent", "label": "Online activity"}
    )
    assert response.status_code == 302
    assert "Online activity" in client.get(response.url).content.decode()


def test_retiring_and_bringing_back_a_factor(client, cast, area):
    factor = services.factors_for(area)[0]
    force_sign_in(client, cast["panel_chair"])
    client.post(reverse("assessments:factor_retire", args=[factor.pk]))
    factor.refresh_from_db()
    assert factor.is_retired
    client.post(reverse("assessments:factor_restore", args=[factor.pk]))
    factor.refresh_from_db()
    assert not factor.is_retired
