"""Channel forms: the referral (public page and in-app) and the workflow step pages.

The forms only collect what was typed; the services check it (one set of messages for
pages and the API). Dates are GOV.UK date inputs (day, month, year)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from roundtable.channel.models import INDICATORS, Knows, ReferralConsent, ReferrerSector, Urgency
from roundtable.core import workflow as engine
from roundtable.people.models import Sex

HONEYPOT = "website"


class DateParts:
    """Reads a GOV.UK date input (name_day, name_month, name_year) from a form's data."""

    PARTS = ("day", "month", "year")

    def __init__(self, name: str, label: str):
        self.name, self.label = name, label

    def add_fields(self, form: forms.Form) -> None:
        for part in self.PARTS:
            form.fields[f"{self.name}_{part}"] = forms.CharField(label=part.title(), required=False)

    def context(self, form, wrong: list[str], hint: str = "For example, 27 3 2026") -> dict:
        """The context of the shared forms/date_input.html: the three bound fields, and the
        parts to mark in error (``wrong``)."""
        bound = {part: form[f"{self.name}_{part}"] for part in self.PARTS}
        return {"id": self.name, "legend": self.label, "hint": hint, "parts": wrong, **bound}

    def read(self, form: forms.Form) -> tuple[str, str, list[str]]:
        """(ISO date or "", error, the parts in error)."""
        raw = {part: (form.cleaned_data.get(f"{self.name}_{part}") or "").strip() for part in self.PARTS}
        missing = [part for part, value in raw.items() if not value]
        if len(missing) == 3:
            return "", "", []
        if missing:
            return "", f"{self.label} must include a {' and '.join(missing)}", missing
        if not all(value.isdigit() for value in raw.values()):
            return "", f"{self.label} must be a real date, in numbers", [p for p in self.PARTS if not raw[p].isdigit()]
        if len(raw["year"]) != 4:
            return "", "The year must include 4 numbers", ["year"]
        try:
            return date(int(raw["year"]), int(raw["month"]), int(raw["day"])).isoformat(), "", []
        except ValueError:
            return "", f"{self.label} must be a real date", ["month"] if not 1 <= int(raw["month"]) <= 12 else ["day"]


def _radios(label, choices, **kwargs):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=False, **kwargs)


class ReferralForm(forms.Form):
    """A referral. ``panels`` (a queryset) adds the choice of area when there is more than one."""

    panel = forms.ChoiceField(label="Where does the person live?", required=False, widget=forms.RadioSelect)
    given_name = forms.CharField(label="First name", required=False)
    family_name = forms.CharField(label="Last name", required=False)
    other_names = forms.CharField(label="Other names they are known by (optional)", required=False)
    approximate_age = forms.CharField(
        label="If you do not know their date of birth, their approximate age",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    sex = _radios("Sex", Sex.choices)
    address = forms.CharField(label="Address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )
    school_or_employer = forms.CharField(label="School, college or employer (optional)", required=False)
    concern = forms.CharField(
        label="What is your concern?",
        help_text="What you have seen or heard, when, and anything that makes you worried now.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    indicators = forms.MultipleChoiceField(
        label="Have you noticed any of these? (optional)",
        choices=INDICATORS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    indicators_other = forms.CharField(
        label="Anything else you have noticed (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgency = _radios("How urgent is this?", Urgency.choices, help_text="If someone is in immediate danger, call 999.")
    person_aware = _radios("Does the person know you are making this referral?", Knows.choices)
    family_aware = _radios("Do their family or carers know?", Knows.choices)
    consent = _radios("Did the person (or, for a child, their parent or carer) agree to it?", ReferralConsent.choices)
    referrer_name = forms.CharField(label="Your name", required=False)
    referrer_sector = _radios("Which best describes you?", ReferrerSector.choices)
    referrer_organisation = forms.CharField(label="Your organisation (optional)", required=False)
    referrer_role = forms.CharField(label="Your role, or how you know the person (optional)", required=False)
    referrer_email = forms.CharField(
        label="Your e-mail address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    referrer_phone = forms.CharField(
        label="Your phone number",
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}),
    )
    # A field people never see: bots that fill every box fill this one too.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, panels=None, public: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        self.date_of_birth = DateParts("date_of_birth", "Date of birth")
        self.date_of_birth.add_fields(self)
        self.date_error_parts: list[str] = []
        self.panels = list(panels or [])
        if len(self.panels) > 1:
            self.fields["panel"].choices = [(str(p.pk), f"{p.area.name} ({p.name})") for p in self.panels]
        else:
            del self.fields["panel"]

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())

    def chosen_panel(self):
        if len(self.panels) == 1:
            return self.panels[0]
        chosen = self.cleaned_data.get("panel") if hasattr(self, "cleaned_data") else None
        return next((p for p in self.panels if str(p.pk) == chosen), None)

    def clean(self):
        data = super().clean()
        iso, error, parts = self.date_of_birth.read(self)
        if error:
            self.date_error_parts = parts
            self.add_error(f"date_of_birth_{parts[0]}", error)
        data["date_of_birth"] = iso
        if "panel" in self.fields and not data.get("panel"):
            self.add_error("panel", "Select where the person lives")
        # The service's checks, run now too, so every problem is shown at once.
        from roundtable.channel.services import clean_referral

        try:
            clean_referral(self.details(), public=self.public)
        except ValidationError as error:
            self.apply_errors(error)
        return data

    def date_input(self) -> dict:
        """The context of forms/date_input.html for the date of birth."""
        return self.date_of_birth.context(
            self,
            self.date_error_parts,
            hint="For example, 27 3 2009. If you do not know it, give their approximate age below.",
        )

    def details(self) -> dict:
        """What the service is given: every field of the referral, nothing else."""
        from roundtable.channel.services import REFERRAL_FIELDS

        return {name: self.cleaned_data.get(name) for name in REFERRAL_FIELDS if name in self.cleaned_data}

    def apply_errors(self, error) -> None:
        for name, messages in error.message_dict.items():
            if name == "date_of_birth":
                if self.date_error_parts:
                    continue  # the date input already says what is wrong with it
                self.date_error_parts = ["day", "month", "year"]
                target = "date_of_birth_day"
            else:
                target = name if name in self.fields else None
            if target in self.errors:
                continue
            for message in messages:
                self.add_error(target, message)


# --- Workflow step pages -----------------------------------------------------------------------
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]


class TransitionForm(forms.Form):
    """The fields of one or more transitions (the choices of one step), built from the declaration.

    With more than one transition, a ``transition`` radio chooses which; fields every
    choice records are asked once, the others under their choice (a conditional reveal)."""

    def __init__(self, *args, transitions: list, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.transitions = transitions
        self.subject = subject
        self.date_fields: dict[str, DateParts] = {}
        self.date_error_parts: dict[str, list[str]] = {}
        if len(transitions) > 1:
            self.fields["transition"] = forms.ChoiceField(
                label="Decision",
                choices=[(t.name, t.label) for t in transitions],
                widget=forms.RadioSelect,
                required=False,
            )
        by_name: dict[str, list] = {}
        for t in transitions:
            for f in t.records:
                by_name.setdefault(f.name, []).append(f)
        self.shared = [fs[0].name for fs in by_name.values() if len(fs) == len(transitions)]
        self.own = {t.name: [f.name for f in t.records if f.name not in self.shared] for t in transitions}
        for name, definitions in by_name.items():
            self._add(name, definitions)

    def _add(self, name: str, definitions: list) -> None:
        f = definitions[0]
        hint = f.hint
        if f.kind == engine.DATE:
            parts = DateParts(name, f.label)
            parts.add_fields(self)
            self.date_fields[name] = parts
            return
        if f.kind in (engine.CHOICE, engine.MULTICHOICE):
            choices: dict[str, str] = {}
            for definition in definitions:
                choices.update(dict(definition.choices_for(self.subject)))
            widget = forms.RadioSelect if f.kind == engine.CHOICE else forms.CheckboxSelectMultiple
            field_class = forms.ChoiceField if f.kind == engine.CHOICE else forms.MultipleChoiceField
            self.fields[name] = field_class(
                label=f.label, choices=list(choices.items()), widget=widget, required=False, help_text=hint
            )
        elif f.kind == engine.YES_NO:
            self.fields[name] = forms.ChoiceField(
                label=f.label, choices=YES_NO_CHOICES, widget=forms.RadioSelect, required=False, help_text=hint
            )
        elif f.kind == engine.CONFIRM:
            self.fields[name] = forms.BooleanField(label=f.label, required=False, help_text=hint)
        elif f.kind == engine.TEXT:
            self.fields[name] = forms.CharField(label=f.label, required=False, help_text=hint)
        else:
            self.fields[name] = forms.CharField(
                label=f.label, required=False, help_text=hint, widget=forms.Textarea(attrs={"rows": 5})
            )
        # Let the browser keep long text (the engine gives the limit's message).
        self.fields[name].widget.attrs.pop("maxlength", None)

    def chosen(self):
        if len(self.transitions) == 1:
            return self.transitions[0]
        name = getattr(self, "cleaned_data", {}).get("transition")
        return next((t for t in self.transitions if t.name == name), None)

    def clean(self):
        data = super().clean()
        if len(self.transitions) > 1 and not data.get("transition"):
            self.add_error("transition", "Select a decision")
        for name, parts in self.date_fields.items():
            iso, error, wrong = parts.read(self)
            if error:
                self.date_error_parts[name] = wrong
                self.add_error(f"{name}_{wrong[0]}", error)
            data[name] = iso
        # The engine's checks, run now too, so every problem is shown at once (with no
        # decision chosen yet, those of the fields every decision records).
        chosen = self.chosen()
        transition = chosen or self.transitions[0]
        values = {f.name: data.get(f.name) for f in transition.records}
        try:
            self.subject.workflow.clean(transition, values, self.subject)
        except ValidationError as error:
            wanted = {k: v for k, v in error.message_dict.items() if chosen or k in self.shared}
            self.apply_errors(ValidationError(wanted) if wanted else ValidationError({}))
        return data

    def recorded(self) -> dict:
        """The values of the chosen transition's fields, as the engine reads them."""
        transition = self.chosen()
        return {f.name: self.cleaned_data.get(f.name) for f in transition.records}

    def apply_errors(self, error) -> None:
        for name, messages in error.message_dict.items():
            if name in self.date_fields:
                if self.date_error_parts.get(name):
                    continue  # the date input already says what is wrong with it
                self.date_error_parts[name] = ["day", "month", "year"]
                target = f"{name}_day"
            else:
                target = name if name in self.fields else None
            if target in self.errors:
                continue
            for message in messages:
                self.add_error(target, message)

    # Rendering helpers for the template.
    def shared_fields(self):
        return [self._bound(name) for name in self.shared]

    def options(self):
        return [{"transition": t, "fields": [self._bound(name) for name in self.own[t.name]]} for t in self.transitions]

    def _bound(self, name):
        if name in self.date_fields:
            return {"date": True, **self.date_fields[name].context(self, self.date_error_parts.get(name, []))}
        return {"date": False, "field": self[name]}
