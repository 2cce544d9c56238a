"""The shared GOV.UK date input marks exactly the parts in error and names the problem."""

from django import forms
from django.template.loader import render_to_string


class DueForm(forms.Form):
    due_day = forms.IntegerField(min_value=1, max_value=31)
    due_month = forms.IntegerField(min_value=1, max_value=12)
    due_year = forms.IntegerField()


def render(form, **extra):
    context = {"id": "due-date", "legend": "Due date", "hint": "For example, 27 3 2026", **extra}
    context.update(day=form["due_day"], month=form["due_month"], year=form["due_year"])
    return render_to_string("forms/date_input.html", context)


def test_a_wrong_month_marks_only_the_month_and_keeps_what_was_typed():
    form = DueForm({"due_day": "27", "due_month": "13", "due_year": "2026"})
    assert not form.is_valid()
    html = render(form)
    assert "govuk-form-group--error" in html
    assert 'aria-describedby="due-date-hint due-date-error"' in html
    assert html.count("govuk-input--error") == 1
    assert 'name="due_month" type="text" inputmode="numeric" value="13"' in html
    assert "Ensure this value is less than or equal to 12." in html


def test_a_whole_date_in_error_marks_every_part_named():
    form = DueForm({"due_day": "1", "due_month": "1", "due_year": "2020"})
    assert form.is_valid()
    html = render(form, parts=["day", "month", "year"])
    assert html.count("govuk-input--error") == 3


def test_a_correct_date_shows_no_error():
    form = DueForm({"due_day": "1", "due_month": "1", "due_year": "2027"})
    assert form.is_valid()
    html = render(form)
    assert "error" not in html.replace("govuk-visually-hidden", "")
