"""Consent, intervention, progress and provider forms. The forms check what was typed
(is it a date, was a choice made); the services check what it means (is a capacity note
needed, is consent in force) and their errors are shown against the field they concern.

Radios with conditional reveals (GOV.UK pattern) are described by ``reveals``: for each
radio field, which fields appear under which option. Fields under an option that was not
chosen are ignored, as the GOV.UK pattern expects."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from roundtable.cases.forms import DateInput
from roundtable.support import services
from roundtable.support.models import ConsentRecord, Intervention, SupportType

DATE_ERRORS = {"invalid": "Enter a real date, like 3 March 2026"}


def _date(label: str, *, required: bool = True, hint: str = "", required_message: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=hint,
        widget=DateInput(),
        error_messages={**DATE_ERRORS, "required": required_message or f"Enter the {label.lower()}"},
    )


def _text(label: str, *, required: bool = False, rows: int = 4, hint: str = "", **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _line(label: str, max_length: int, *, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=hint,
        error_messages={"max_length": f"{label.removesuffix(' (optional)')} must be {max_length} characters or fewer"},
    )


def _radios(label: str, choices, message: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=hint,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class RevealsMixin:
    """Radios whose options reveal further fields. ``reveals = {radio: {value: [fields]}}``."""

    reveals: dict[str, dict[str, list[str]]] = {}
    # Service error keys that belong to a field named differently on the form.
    error_fields: dict[str, str] = {}

    @property
    def radio_items(self) -> dict[str, list[dict]]:
        items = {}
        for name, by_value in self.reveals.items():
            bound = self[name]
            chosen = str(bound.value() or "")
            items[name] = [
                {
                    "value": option.data["value"],
                    "label": option.choice_label,
                    "id": option.id_for_label,
                    "checked": str(option.data["value"]) == chosen,
                    "reveal_id": f"conditional-{option.id_for_label}",
                    "fields": [self[f] for f in by_value.get(str(option.data["value"]), [])],
                }
                for option in bound
            ]
        return items

    def revealed(self, radio: str, field: str):
        """A revealed field's value, or its empty value when its option was not chosen."""
        chosen = self.cleaned_data.get(radio)
        if field in self.reveals.get(radio, {}).get(chosen, []):
            return self.cleaned_data.get(field)
        return self.fields[field].empty_value if hasattr(self.fields[field], "empty_value") else None

    def _target(self, field: str) -> str | None:
        target = self.error_fields.get(field, field)
        if callable(target):
            target = target(self)
        return target if target in self.fields else None

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(self._target(field), message)

    def add_domain_errors(self, errors: dict[str, str]) -> None:
        """The service's checks, run from clean() so that every problem shows at once;
        a field the form already found wrong keeps its own message."""
        for field, message in errors.items():
            target = self._target(field)
            if target is None or target not in self.errors:
                self.add_error(target, message)


# --- Consent ---------------------------------------------------------------------------------
class ConsentForm(RevealsMixin, forms.Form):
    decision = _radios(
        "What was decided?",
        [
            (ConsentRecord.Decision.GIVEN, "Consent was given"),
            (ConsentRecord.Decision.REFUSED, "Consent was refused"),
            (ConsentRecord.Decision.WITHDRAWN, "Consent was withdrawn"),
        ],
        "Choose whether consent was given, refused or withdrawn",
    )
    decided_by = _radios("Who decided?", [], "Choose who made the decision")
    parent_name = _line("Name of the parent", 150)
    carer_name = _line("Name of the carer", 150)
    other_name = _line("Their name", 150)
    other_relationship = _line("Their relationship to the person, or their role", 150, hint="For example, foster carer")
    occurred_on = _date("Date of the decision", required_message="Enter the date of the decision")
    how = _radios("How was it given?", ConsentRecord.How.choices, "Choose how the decision was given")
    how_detail = _line("How", 200)
    capacity_note = _text("Capacity", hint="")
    notes = _text("Notes (optional)")

    reveals = {
        "decided_by": {
            "parent": ["parent_name"],
            "carer": ["carer_name"],
            "other": ["other_name", "other_relationship"],
        },
        "how": {"other": ["how_detail"]},
    }
    error_fields = {
        "decided_by_name": lambda form: {"parent": "parent_name", "carer": "carer_name"}.get(
            form.cleaned_data.get("decided_by"), "other_name"
        ),
        "decided_by_relationship": "other_relationship",
    }

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        DecidedBy = ConsentRecord.DecidedBy
        self.fields["decided_by"].choices = [
            (DecidedBy.PERSON, f"{person.full_name} (the person)"),
            (DecidedBy.PARENT, "A parent"),
            (DecidedBy.CARER, "A carer"),
            (DecidedBy.OTHER, "Someone else"),
        ]
        self.fields["capacity_note"].label = f"How was {person.full_name}'s capacity to decide considered?"
        self.fields["capacity_note"].help_text = services.capacity_hint(person)
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        decided_by = data.get("decided_by")
        name_field = {"parent": "parent_name", "carer": "carer_name", "other": "other_name"}.get(decided_by)
        data["decided_by_name"] = (data.get(name_field) or "") if name_field else ""
        data["decided_by_relationship"] = self.revealed("decided_by", "other_relationship") or ""
        data["how_detail"] = self.revealed("how", "how_detail") or ""
        kwargs = self.service_kwargs()
        kwargs.pop("notes")
        self.add_domain_errors(services.consent_errors(self.person, **kwargs))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        names = ("decision", "decided_by", "decided_by_name", "decided_by_relationship", "occurred_on", "how")
        return {
            **{name: data.get(name) for name in names},
            "how_detail": data.get("how_detail", ""),
            "capacity_note": (data.get("capacity_note") or "").strip(),
            "notes": data.get("notes", ""),
        }


# --- Interventions -----------------------------------------------------------------------------
ORGANISATION, REGISTER = "organisation", "register"


def provider_label(provider) -> str:
    organisation = f" ({provider.organisation.name})" if provider.organisation_id else ""
    return f"{provider.name}{organisation} – {services.dbs_status(provider)}"


class InterventionForm(RevealsMixin, forms.Form):
    support_type = _radios("Type of support", SupportType.choices, "Choose the type of support")
    custom_type = _line("What kind of support?", 150)
    provider_kind = _radios(
        "Who will provide it?",
        [(ORGANISATION, "A partner organisation"), (REGISTER, "A provider from the register")],
        "Choose who will provide the support",
    )
    provider_organisation = forms.ModelChoiceField(
        label="Partner organisation",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Choose a partner organisation from the list"},
    )
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=None,
        required=False,
        empty_label="Choose a provider",
        error_messages={"invalid_choice": "Choose a provider from the register"},
    )
    starts_on = _date("Start date")
    ends_on = _date("End date (optional)", required=False, hint="Leave empty if the end is not yet known.")
    behaviours = _text("Behaviours this support addresses", rows=3)
    risks = _text("Risks this support addresses", rows=3)
    provider_risks = _text(
        "Risks to the provider",
        rows=3,
        hint="What the provider should know to stay safe, or “none identified”.",
    )
    status = _radios(
        "Has the support started?",
        [(Intervention.Status.PLANNED, "No, it is planned"), (Intervention.Status.ACTIVE, "Yes, it is active now")],
        "Choose whether the support is planned or active",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    reveals = {
        "support_type": {SupportType.OTHER: ["custom_type"]},
        "provider_kind": {ORGANISATION: ["provider_organisation"], REGISTER: ["provider"]},
    }

    def __init__(
        self, *args, organisations, providers, creating: bool, check, consent_problem: str | None = None, **kwargs
    ):
        """``check(**fields)`` returns the service's errors for the support as entered."""
        super().__init__(*args, **kwargs)
        self.check = check
        self.fields["provider_organisation"].queryset = organisations
        self.fields["provider"].queryset = providers
        self.fields["provider"].label_from_instance = provider_label
        self.providers = providers
        if creating:
            if consent_problem:
                self.fields["status"].help_text = f"{consent_problem} It can be planned now and started later."
            if not self.is_bound:
                self.initial.setdefault("status", Intervention.Status.PLANNED)
        else:
            del self.fields["status"]

    @property
    def provider_warnings(self) -> list[str]:
        """DBS warnings for the providers offered, shown where the provider is chosen."""
        until = getattr(self, "cleaned_data", {}).get("ends_on")  # known once the form was sent
        warnings = (services.dbs_warning(provider, until=until) for provider in self.providers)
        return [warning for warning in warnings if warning]

    @classmethod
    def initial_for(cls, intervention: Intervention) -> dict:
        return {
            "support_type": intervention.support_type,
            "custom_type": intervention.custom_type,
            "provider_kind": REGISTER if intervention.provider_id else ORGANISATION,
            "provider": intervention.provider_id,
            "provider_organisation": intervention.provider_organisation_id,
            "starts_on": intervention.starts_on,
            "ends_on": intervention.ends_on,
            "behaviours": intervention.behaviours,
            "risks": intervention.risks,
            "provider_risks": intervention.provider_risks,
            "version": intervention.version,
        }

    def clean(self):
        data = super().clean()
        kind = data.get("provider_kind")
        if (
            kind == ORGANISATION
            and not data.get("provider_organisation")
            and "provider_organisation" not in self.errors
        ):
            self.add_error("provider_organisation", "Choose the partner organisation")
        if kind == REGISTER and not data.get("provider") and "provider" not in self.errors:
            self.add_error("provider", "Choose a provider from the register")
        kwargs = self.service_kwargs()
        if "status" in self.fields:
            kwargs["status"] = data.get("status")
        errors = self.check(**kwargs)
        if any(name in self.errors for name in ("provider_kind", "provider", "provider_organisation")):
            errors.pop("provider", None)  # the form has already said which provider is missing
        self.add_domain_errors(errors)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "support_type": data.get("support_type"),
            "custom_type": (self.revealed("support_type", "custom_type") or "").strip(),
            "provider": self.revealed("provider_kind", "provider"),
            "provider_organisation": self.revealed("provider_kind", "provider_organisation"),
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "behaviours": (data.get("behaviours") or "").strip(),
            "risks": (data.get("risks") or "").strip(),
            "provider_risks": (data.get("provider_risks") or "").strip(),
        }


class InterventionStatusForm(forms.Form):
    status = _radios("New status", [], "Choose the new status")
    reason = _text(
        "Reason or note",
        hint="Required when pausing or stopping the support: why. It is kept in the support's progress updates.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    LABELS = {
        Intervention.Status.ACTIVE: "Active – the support is happening",
        Intervention.Status.PAUSED: "Paused",
        Intervention.Status.COMPLETED: "Completed",
        Intervention.Status.STOPPED: "Stopped before it was completed",
    }

    def __init__(self, *args, intervention: Intervention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, self.LABELS[s]) for s in services.next_statuses(intervention)]


class ProgressForm(forms.Form):
    occurred_on = _date("Date", required_message="Enter the date of the update")
    text = _text("Update", rows=5, error_messages={"required": "Enter the update"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())


# --- Providers -------------------------------------------------------------------------------
class ProviderForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        error_messages={
            "required": "Enter the provider's name",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisation (optional)",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    contact = _line("Contact details (optional)", 200, hint="A phone number or e-mail address")
    dbs_checked_on = _date("Date of the DBS check (optional)", required=False)
    dbs_expires_on = _date(
        "DBS check expires or is due for renewal (optional)",
        required=False,
        hint="Enter both dates, or neither if no check has been made yet.",
    )
    notes = _text("Notes (optional)")
    active = forms.BooleanField(
        label="On the register: can be chosen for new support",
        required=False,
        help_text="Untick when the provider no longer works with the area. Existing support keeps them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisations, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if creating:
            del self.fields["active"]

    @classmethod
    def initial_for(cls, provider) -> dict:
        fields = ("name", "contact", "dbs_checked_on", "dbs_expires_on", "notes", "active", "version")
        return {"organisation": provider.organisation_id, **{name: getattr(provider, name) for name in fields}}

    def service_kwargs(self) -> dict:
        fields = ("name", "organisation", "contact", "dbs_checked_on", "dbs_expires_on", "notes")
        kwargs = {name: self.cleaned_data.get(name) for name in fields}
        if "active" in self.fields:
            kwargs["active"] = self.cleaned_data.get("active", False)
        return kwargs
