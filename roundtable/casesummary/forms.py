"""The chronology dates a case summary covers: two optional GOV.UK date inputs, checked with
the same wording as every other date in Roundtable. Both empty: the newest entries."""

from datetime import date

from django import forms

from roundtable.casesummary.queries import EntryRange

PARTS = ("day", "month", "year")
LABELS = {"from": "The ‘from’ date", "to": "The ‘to’ date"}


def parse_date(raw: dict[str, str], label: str) -> tuple[date | None, str, list[str]]:
    """(the date or None, an error message or "", the parts in error) from day, month and
    year as typed. All three empty is no date at all, which is not an error here."""
    raw = {part: (raw.get(part) or "").strip() for part in PARTS}
    missing = [part for part, value in raw.items() if not value]
    if len(missing) == 3:
        return None, "", []
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}", missing
    not_numbers = [part for part, value in raw.items() if not value.isdigit()]
    if not_numbers:
        return None, f"{label} must be a real date, in numbers", not_numbers
    if len(raw["year"]) != 4:
        return None, f"{label} must have a year of 4 numbers", ["year"]
    try:
        return date(int(raw["year"]), int(raw["month"]), int(raw["day"])), "", []
    except ValueError:
        wrong = ["month"] if not 1 <= int(raw["month"]) <= 12 else ["day"]
        return None, f"{label} must be a real date", wrong


def order_error(span: EntryRange) -> str:
    if span.start and span.end and span.end < span.start:
        return "The ‘to’ date must be the same as or after the ‘from’ date"
    return ""


class RangeForm(forms.Form):
    from_day = forms.CharField(required=False, max_length=2)
    from_month = forms.CharField(required=False, max_length=2)
    from_year = forms.CharField(required=False, max_length=4)
    to_day = forms.CharField(required=False, max_length=2)
    to_month = forms.CharField(required=False, max_length=2)
    to_year = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Which boxes of each date input to mark in error (forms/date_input.html "parts").
        self.error_parts: dict[str, list[str]] = {"from": [], "to": []}

    def date_error(self, which: str, message: str, parts: list[str]) -> None:
        # One message per date input, linked from the error summary to its first wrong box.
        self.error_parts[which] = list(parts)
        self.add_error(f"{which}_{parts[0]}", message)

    def clean(self):
        data = super().clean()
        found = {}
        for which in ("from", "to"):
            typed = {part: self.data.get(f"{which}_{part}", "") for part in PARTS}
            found[which], message, parts = parse_date(typed, LABELS[which])
            if message:
                self.date_error(which, message, parts)
        if not self.errors:
            data["span"] = EntryRange(start=found["from"], end=found["to"])
            message = order_error(data["span"])
            if message:
                self.date_error("to", message, list(PARTS))
        return data

    @property
    def chosen(self) -> bool:
        """True when the user typed anything: the form was submitted with dates."""
        return any((self.data.get(name) or "").strip() for name in self.fields)
