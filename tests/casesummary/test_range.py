"""How much of the chronology one case summary holds: at most CASE_SUMMARY_MAX_ENTRIES
entries, the newest by default or the dates the user chooses, with the first page saying
plainly what is in it and what is not; a range too large is refused, never cut short."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from tests.casesummary.conftest import pdf_pages, pdf_text
from tests.conftest import force_sign_in
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_days(team, settings):
    """One entry on each of 1 to 5 March 2026, "Day 1" … "Day 5"; summaries hold at most 3."""
    settings.CASE_SUMMARY_MAX_ENTRIES = 3
    for day in range(1, 6):
        EntryFactory(case=team["case"], author=team["owner"], summary=f"Day {day} visit",
                     occurred_at=timezone.make_aware(datetime(2026, 3, day, 12)))  # fmt: skip
    return team["case"]


def range_params(start=("", "", ""), end=("", "", "")) -> dict:
    params = {}
    for which, parts in (("from", start), ("to", end)):
        params.update({f"{which}_{name}": value for name, value in zip(("day", "month", "year"), parts, strict=True)})
    return params


def download(client, user, case, **params):
    force_sign_in(client, user)
    return client.get(reverse("casesummary:pdf", args=[case.pk]), params)


def api_download(client, user, case, **params):
    _, raw = do_create_token(user, name="records", days=1)
    return client.get(f"/api/v1/cases/{case.pk}/summary.pdf", params, headers={"Authorization": f"Bearer {raw}"})


def exports(case):
    return AuditEvent.objects.filter(action="case.summary_exported", case_id=case.pk)


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- The default: the newest entries, up to the limit ---------------------------------------------
def test_by_default_it_holds_the_newest_entries_and_the_first_page_says_how_many_are_left_out(client, team, five_days):
    response = download(client, team["owner"], five_days)
    assert response.status_code == 200
    first_page = one_line(pdf_pages(response.content)[0])
    assert "Chronology: the newest 3 entries of the 5 entries on this case that you may see" in first_page
    assert "from 3 March 2026 at 12:00 to 5 March 2026 at 12:00" in first_page
    assert "2 entries older than these are not in this summary (one summary holds at most 3)" in first_page
    text = pdf_text(response.content)
    assert "Day 3 visit" in text and "Day 5 visit" in text
    assert "Day 1 visit" not in text and "Day 2 visit" not in text


def test_a_case_within_the_limit_says_it_holds_every_entry(client, team, five_days, settings):
    settings.CASE_SUMMARY_MAX_ENTRIES = 5
    first_page = one_line(pdf_pages(download(client, team["owner"], five_days).content)[0])
    assert "Chronology: all 5 entries on this case that you may see." in first_page
    assert "not in this summary" not in first_page


# --- A chosen range ---------------------------------------------------------------------------------
def test_a_chosen_range_holds_its_entries_and_counts_those_before_and_after(client, team, five_days):
    response = download(client, team["owner"], five_days, **range_params(("2", "3", "2026"), ("3", "3", "2026")))
    assert response.status_code == 200
    first_page = one_line(pdf_pages(response.content)[0])
    assert (
        "Chronology: the 2 entries from 2 March 2026 to 3 March 2026 (the dates chosen), of the 5 entries on this "
        "case that you may see." in first_page
    )
    assert "3 entries are not in this summary: 1 before 2 March 2026 and 2 after 3 March 2026." in first_page
    text = pdf_text(response.content)
    assert "Day 2 visit" in text and "Day 3 visit" in text
    assert all(f"Day {day} visit" not in text for day in (1, 4, 5))


def test_a_range_open_at_one_end_runs_to_the_first_or_last_entry(client, team, five_days):
    onwards = download(client, team["owner"], five_days, **range_params(start=("4", "3", "2026")))
    assert "the 2 entries from 4 March 2026 onwards" in one_line(pdf_pages(onwards.content)[0])
    up_to = download(client, team["owner"], five_days, **range_params(end=("1", "3", "2026")))
    first_page = one_line(pdf_pages(up_to.content)[0])
    assert "the 1 entry up to and including 1 March 2026" in first_page
    assert "4 entries are not in this summary: 4 after 1 March 2026." in first_page


def test_a_range_holding_more_than_the_limit_is_refused_naming_both_numbers_keeping_the_dates(client, team, five_days):
    response = download(client, team["owner"], five_days, **range_params(("1", "3", "2026"), ("4", "3", "2026")))
    assert response.status_code == 400
    html = response.text
    assert "The dates you chose hold 4 chronology entries, and a case summary can hold at most 3." in html
    assert "There is a problem" in html and 'href="#id_from_day"' in html
    assert 'name="from_day" type="text" inputmode="numeric" value="1"' in html
    assert 'name="to_day" type="text" inputmode="numeric" value="4"' in html
    assert not exports(five_days).exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (("1", "", "2026"), ("", "", ""), "The ‘from’ date must include a month"),
        (("", "", ""), ("31", "2", "2026"), "The ‘to’ date must be a real date"),
        (("1", "3", "26"), ("", "", ""), "The ‘from’ date must have a year of 4 numbers"),
        (("x", "3", "2026"), ("", "", ""), "The ‘from’ date must be a real date, in numbers"),
        (("5", "3", "2026"), ("1", "3", "2026"), "The ‘to’ date must be the same as or after the ‘from’ date"),
    ],
)
def test_wrong_dates_get_a_specific_error_and_what_was_typed_is_kept(client, team, five_days, start, end, message):
    response = download(client, team["owner"], five_days, **range_params(start, end))
    assert response.status_code == 400
    assert message in response.text
    assert f'name="from_year" type="text" inputmode="numeric" value="{start[2]}"' in response.text
    assert not exports(five_days).exists()


# --- The page -----------------------------------------------------------------------------------------
def test_the_page_says_how_many_entries_there_are_and_the_limit_and_is_recorded(client, team, five_days):
    force_sign_in(client, team["owner"])
    response = client.get(reverse("casesummary:page", args=[five_days.pk]))
    assert response.status_code == 200
    assert "You may see 5 chronology entries on this case. One summary holds at most 3" in one_line(response.text)
    assert f'action="{reverse("casesummary:pdf", args=[five_days.pk])}"' in response.text
    assert AuditEvent.objects.filter(action="case.summary_page_viewed", case_id=five_days.pk).count() == 1


@pytest.mark.parametrize("who", ["contributor", "viewer", "colleague", "outsider"])
def test_the_page_is_404_to_everyone_who_may_not_produce_the_summary(client, team, who):
    force_sign_in(client, team[who])
    assert client.get(reverse("casesummary:page", args=[team["case"].pk])).status_code == 404
    bad_dates = range_params(("99", "99", "2026"))
    assert client.get(reverse("casesummary:pdf", args=[team["case"].pk]), bad_dates).status_code == 404


# --- Audit -------------------------------------------------------------------------------------------
def test_the_audit_event_records_the_range_and_the_counts(client, team, five_days):
    download(client, team["owner"], five_days, **range_params(("2", "3", "2026"), ("3", "3", "2026")))
    details = exports(five_days).get().details
    assert details["range_from"] == "2026-03-02" and details["range_to"] == "2026-03-03"
    assert details["entries"] == 2 and details["entries_total"] == 5 and details["entries_not_included"] == 3
    assert details["entry_limit"] == 3


def test_the_audit_event_of_the_default_records_no_range_and_what_was_left_out(client, team, five_days):
    download(client, team["owner"], five_days)
    details = exports(five_days).get().details
    assert details["range_from"] is None and details["range_to"] is None
    assert (details["entries"], details["entries_total"], details["entries_not_included"]) == (3, 5, 2)


# --- API -----------------------------------------------------------------------------------------------
def test_the_api_takes_the_same_range_as_from_and_to(client, team, five_days):
    response = api_download(client, team["owner"], five_days, **{"from": "2026-03-02", "to": "2026-03-03"})
    assert response.status_code == 200
    assert "the 2 entries from 2 March 2026 to 3 March 2026" in one_line(pdf_pages(response.content)[0])
    details = exports(five_days).get().details
    assert details["via"] == "api" and details["range_from"] == "2026-03-02"


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"from": "2026-02-31"}, "from", "‘from’ must be a real date written YYYY-MM-DD"),
        ({"to": "3 March 2026"}, "to", "‘to’ must be a real date written YYYY-MM-DD"),
        ({"from": "20260301"}, "from", "‘from’ must be a real date written YYYY-MM-DD"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "to", "‘to’ must be the same as or after ‘from’"),
        ({"from": "2026-03-01"}, "from", "The dates you chose hold 5 chronology entries, and a case summary can hold"),
    ],
)
def test_the_api_answers_422_naming_the_parameter(client, team, five_days, params, name, message):
    response = api_download(client, team["owner"], five_days, **params)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == ["query", name] and message in error["msg"]
    assert not exports(five_days).exists()


def test_the_api_is_404_before_it_looks_at_the_dates_for_someone_who_may_not_export(client, team):
    assert api_download(client, team["viewer"], team["case"], **{"from": "nonsense"}).status_code == 404


def test_the_page_writes_a_large_limit_with_a_thousands_separator(client, team, five_days, settings):
    settings.CASE_SUMMARY_MAX_ENTRIES = 1500
    force_sign_in(client, team["owner"])
    response = client.get(reverse("casesummary:page", args=[five_days.pk]))
    assert "One summary holds at most 1,500: leave the dates empty for the newest 1,500" in one_line(response.text)
