"""Assessment and factor forms. The assessment form is built from the draft's factors: for
each, present (yes or no), a rating (only when present) and the evidence. Every field is
optional here, so a draft saves whatever has been entered; completing checks the rest
(services.completion_problems) and the errors come back onto these fields."""

from datetime import date

from django import forms
from django.utils import timezone

from roundtable.assessments.models import Assessment, Dimension, Rating
from roundtable.assessments.services import MAX_TEXT, TEXT_FIELDS, RatingInput

YES, NO = "yes", "no"
SAVE, COMPLETE = "save", "complete"

TEXT_LABELS = {
    "engagement_summary": ("Summary of engagement", "What the factors above say about the person's engagement."),
    "intent_summary": ("Summary of intent", "What the factors above say about the person's intent to cause harm."),
    "capability_summary": ("Summary of capability", "What the factors above say about their capability to cause harm."),
    "changes_since_last": (
        "What has changed since the last assessment",
        "In the person's circumstances, behaviour and support, and why any rating moved.",
    ),
    "conclusion": (
        "Overall conclusion",
        "The panel's view of the person's vulnerability: the risk they face and the risk they may pose.",
    ),
    "management_plan": (
        "Management plan",
        "How the risks will be managed until the next review: who does what, and when.",
    ),
}


def _text_field(name: str) -> forms.CharField:
    label, hint = TEXT_LABELS[name]
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"{label} must be {MAX_TEXT:,} characters or fewer"},
    )


class DateParts:
    """A GOV.UK date input (day, month, year) read into a date, with GOV.UK error wording."""

    def __init__(self, form: forms.Form, prefix: str, name: str):
        self.form, self.prefix, self.name = form, prefix, name
        self.error_parts: set[str] = set()

    def error(self, message: str, parts: list[str]) -> None:
        self.error_parts = set(parts)
        self.form.add_error(f"{self.prefix}_{parts[0]}", message)

    def clean(self, data: dict) -> date | None:
        raw = {part: (data.get(f"{self.prefix}_{part}") or "").strip() for part in ("day", "month", "year")}
        missing = [part for part, value in raw.items() if not value]
        if len(missing) == 3:
            self.error(f"Enter the {self.name}", ["day", "month", "year"])
            return None
        if missing:
            self.error(f"The {self.name} must include a {' and '.join(missing)}", missing)
            return None
        not_numbers = [part for part, value in raw.items() if not value.isdigit()]
        if not_numbers:
            self.error(f"The {self.name} must be a real date, in numbers", not_numbers)
            return None
        if len(raw["year"]) != 4:
            self.error("The year must include 4 numbers", ["year"])
            return None
        try:
            value = date(int(raw["year"]), int(raw["month"]), int(raw["day"]))
        except ValueError:
            self.error(
                f"The {self.name} must be a real date", ["month"] if not 1 <= int(raw["month"]) <= 12 else ["day"]
            )
            return None
        if value > timezone.localdate():
            self.error(f"The {self.name} must be today or in the past", ["day", "month", "year"])
            return None
        return value


def _date_fields(form: forms.Form, prefix: str) -> None:
    for part, size in (("day", 2), ("month", 2), ("year", 4)):
        form.fields[f"{prefix}_{part}"] = forms.CharField(label=part.capitalize(), required=False, max_length=size)


def date_initial(prefix: str, value: date) -> dict:
    return {f"{prefix}_day": value.day, f"{prefix}_month": value.month, f"{prefix}_year": value.year}


class StartForm(forms.Form):
    """Starting an assessment: its date (today by default)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "assessed")
        self.assessed = DateParts(self, "assessed", "date of the assessment")

    def clean(self):
        data = super().clean()
        data["assessed_on"] = self.assessed.clean(data)
        return data


class FactorRow:
    """One factor on the form: its bound fields and what the previous assessment said."""

    def __init__(self, form, rating, previous):
        self.rating = rating
        self.factor_id = rating.factor_id
        self.label = rating.label
        self.guidance = rating.factor.guidance
        self.retired = rating.factor.is_retired
        self.previous = previous
        self.present = form[f"f{rating.factor_id}_present"]
        self.level = form[f"f{rating.factor_id}_rating"]
        self.evidence = form[f"f{rating.factor_id}_evidence"]

    @property
    def has_errors(self) -> bool:
        return bool(self.present.errors or self.level.errors or self.evidence.errors)


class AssessmentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(SAVE, SAVE), (COMPLETE, COMPLETE)], required=False)

    def __init__(self, *args, ratings, previous_answers=None, has_previous=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ratings = ratings
        self.previous_answers = previous_answers or {}
        self.has_previous = has_previous
        _date_fields(self, "assessed")
        self.assessed = DateParts(self, "assessed", "date of the assessment")
        for rating in ratings:
            prefix = f"f{rating.factor_id}"
            self.fields[f"{prefix}_present"] = forms.ChoiceField(
                label=rating.label,
                choices=[(YES, "Yes"), (NO, "No")],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Say whether “{rating.label}” is present: yes or no"},
            )
            self.fields[f"{prefix}_rating"] = forms.ChoiceField(
                label=f"Rating of “{rating.label}”",
                choices=Rating.choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Rate “{rating.label}” as low, medium or high"},
            )
            self.fields[f"{prefix}_evidence"] = forms.CharField(
                label=f"Evidence for “{rating.label}”",
                required=False,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"The evidence for “{rating.label}” must be {MAX_TEXT:,} characters or fewer"
                },
            )
        for name in TEXT_FIELDS:
            self.fields[name] = _text_field(name)

    @classmethod
    def initial_for(cls, assessment: Assessment, ratings) -> dict:
        initial = {"version": assessment.version, **date_initial("assessed", assessment.assessed_on)}
        for name in TEXT_FIELDS:
            initial[name] = getattr(assessment, name)
        for rating in ratings:
            prefix = f"f{rating.factor_id}"
            initial[f"{prefix}_present"] = {True: YES, False: NO}.get(rating.present, "")
            initial[f"{prefix}_rating"] = rating.rating
            initial[f"{prefix}_evidence"] = rating.evidence
        return initial

    def clean(self):
        data = super().clean()
        data["assessed_on"] = self.assessed.clean(data)
        return data

    # --- What the service needs --------------------------------------------------------------
    def changes(self) -> tuple[dict, dict]:
        """(fields, ratings) for services.do_save_draft, from the cleaned data."""
        data = self.cleaned_data
        fields = {name: data.get(name, "") for name in TEXT_FIELDS if name not in self.errors}
        if data.get("assessed_on"):
            fields["assessed_on"] = data["assessed_on"]
        ratings = {}
        for rating in self.ratings:
            prefix = f"f{rating.factor_id}"
            if any(f"{prefix}_{part}" in self.errors for part in ("present", "rating", "evidence")):
                continue
            present = {YES: True, NO: False}.get(data.get(f"{prefix}_present") or "")
            ratings[rating.factor_id] = RatingInput(
                present, data.get(f"{prefix}_rating") or "", data.get(f"{prefix}_evidence") or ""
            )
        return fields, ratings

    def apply_problems(self, problems: dict[str, list[str] | str]) -> None:
        """Put a service's ValidationError (keys like ``factor:12:evidence``) onto the fields."""
        for key, messages in problems.items():
            for message in [messages] if isinstance(messages, str) else messages:
                self.add_error(self.field_for(key), message)

    def field_for(self, key: str) -> str | None:
        if key.startswith("factor:"):
            _, factor_id, part = key.split(":")
            name = f"f{factor_id}_{part}"
        elif key == "assessed_on":
            self.assessed.error_parts = {"day", "month", "year"}
            name = "assessed_day"
        else:
            name = key
        return name if name in self.fields else None

    # --- Layout --------------------------------------------------------------------------------
    def sections(self) -> list[dict]:
        """The form in framework order: each dimension's factors, then its summary."""
        by_dimension: dict[str, list[FactorRow]] = {d: [] for d in Dimension.values}
        for rating in self.ratings:
            by_dimension[rating.dimension].append(FactorRow(self, rating, self.previous_answers.get(rating.factor_id)))
        return [
            {
                "dimension": dimension,
                "label": Dimension(dimension).label,
                "rows": rows,
                "summary": self[f"{dimension}_summary"],
            }
            for dimension, rows in by_dimension.items()
            if rows
        ]


class FactorForm(forms.Form):
    label = forms.CharField(
        label="Name of the factor",
        max_length=200,
        error_messages={
            "required": "Enter the factor's name",
            "max_length": "The factor's name must be 200 characters or fewer",
        },
    )
    guidance = forms.CharField(
        label="Guidance (optional)",
        help_text="Shown under the factor when people assess it: what to look for.",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NewFactorForm(FactorForm):
    dimension = forms.ChoiceField(
        label="Dimension",
        choices=Dimension.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the dimension",
            "invalid_choice": "Choose engagement, intent or capability",
        },
    )
    field_order = ["dimension", "label", "guidance"]


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
