from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from roundtable.accounts.models import Sector
from roundtable.cases.models import Case, CaseMembership, ChronologyEntry
from roundtable.core.forms import ListSelect

ROLE_HINTS = {
    "owner": "Owner – can add and remove members and change roles",
    "contributor": "Contributor – can add chronology entries",
    "viewer": "Viewer – can read the case",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "govuk-input--width-5", **(attrs or {})}, format="%H:%M")


# --- Cases ---------------------------------------------------------------------------------------
class CaseForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of case",
        choices=Case.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of case"},
    )
    person = forms.ModelChoiceField(
        label="Person",
        required=False,
        queryset=None,
        empty_label="No person (a meeting or plan case)",
        help_text="People you can see. If they are not listed, find or add them under People first.",
        error_messages={"invalid_choice": "Choose a person from the list"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A short description, for example “Referral from Millford Academy”.",
        error_messages={"required": "Enter a title for the case"},
    )
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation",
        queryset=None,
        widget=ListSelect,
        error_messages={"required": "Choose the lead organisation"},
    )
    state = forms.ChoiceField(
        label="State", choices=Case.State.choices, initial=Case.State.OPEN, widget=forms.RadioSelect
    )

    def __init__(self, *args, people, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["lead_organisation"].queryset = organisations


FULL_WIDTH = {"class": "govuk-!-width-full"}


class CaseEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title for the case"})
    state = forms.ChoiceField(
        label="State", choices=Case.State.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the state of the case"},
    )  # fmt: skip
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation",
        queryset=None,
        widget=ListSelect,
        error_messages={"required": "Choose the lead organisation"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = organisations

    @classmethod
    def for_case(cls, case: Case, organisations):
        initial = {
            "title": case.title, "state": case.state, "lead_organisation": case.lead_organisation_id,
            "version": case.version,
        }  # fmt: skip
        return cls(initial=initial, organisations=organisations)


class CaseFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *Case.Kind.choices], widget=ListSelect
    )
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any state"), *Case.State.choices], widget=ListSelect
    )
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None, widget=ListSelect)
    mine = forms.BooleanField(label="Only cases I own", required=False)
    overdue = forms.BooleanField(label="Only cases with overdue tasks", required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), *owners]
        for name in ("kind", "state", "owner"):
            self.fields[name].widget.attrs.update(FULL_WIDTH)


# --- Members ---------------------------------------------------------------------------------------
class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label="Work e-mail address",
        help_text="If they are not on Roundtable yet, fill in the rest of the form and they will be invited.",
        error_messages={
            "required": "Enter their work e-mail address",
            "invalid": "Enter an e-mail address like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role on this case",
        choices=list(ROLE_HINTS.items()),
        initial="contributor",
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(
        label="Full name (only if they are not on Roundtable yet)", max_length=150, required=False
    )
    organisation = forms.ModelChoiceField(
        label="Their organisation (only if they are not on Roundtable yet)",
        required=False,
        queryset=None,
        empty_label="Not listed – enter it below",
        widget=ListSelect,
    )
    organisation_name = forms.CharField(label="Organisation not listed: its name", max_length=200, required=False)
    sector = forms.ChoiceField(label="Its sector", required=False, choices=[("", "Choose a sector"), *Sector.choices])

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=CaseMembership.Role.choices, widget=forms.RadioSelect)


# --- Chronology --------------------------------------------------------------------------------------
class EntryFieldsMixin(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of entry is this?",
        choices=[("", "Choose a kind"), *ChronologyEntry.Kind.choices],
        error_messages={"required": "Choose what kind of entry this is"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=200,
        help_text="One line: what happened.",
        error_messages={
            "required": "Enter a summary of what happened",
            "max_length": "The summary must be 200 characters or fewer",
        },
    )
    body = forms.CharField(label="Full account (optional)", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    occurred_date = forms.DateField(
        label="Date it happened",
        widget=DateInput(),
        error_messages={"required": "Enter the date it happened", "invalid": "Enter a real date, like 3 March 2026"},
    )
    occurred_time = forms.TimeField(
        label="Time it happened",
        help_text="For example 14:30",
        widget=TimeInput(),
        error_messages={"required": "Enter the time it happened", "invalid": "Enter a time like 14:30"},
    )

    def occurred_at(self) -> datetime | None:
        day, at = self.cleaned_data.get("occurred_date"), self.cleaned_data.get("occurred_time")
        if day is None or at is None:
            return None
        return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())

    def clean(self):
        data = super().clean()
        occurred_at = self.occurred_at()
        if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
            self.add_error("occurred_date", "The date and time it happened must be now or in the past")
        return data


class RestrictionFields(forms.Form):
    restricted = forms.BooleanField(
        label="Restrict this entry to named people",
        required=False,
        help_text="Everyone else on the case will see only that a restricted entry exists, when, and whom to ask.",
    )
    restricted_to = forms.ModelMultipleChoiceField(
        label="Who else may read it",
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="You can always read your own entries.",
    )

    def set_members(self, members):
        self.fields["restricted_to"].queryset = members
        self.fields["restricted_to"].label_from_instance = lambda u: f"{u.full_name}, {u.organisation.name}"


class EntryForm(EntryFieldsMixin, RestrictionFields):
    field_order = ["kind", "summary", "body", "occurred_date", "occurred_time", "restricted", "restricted_to"]

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_members(members)
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("occurred_date", now.date())
            self.initial.setdefault("occurred_time", now.time().replace(second=0, microsecond=0))


class AmendEntryForm(EntryFieldsMixin):
    reason = forms.CharField(
        label="Why are you amending it? (optional)",
        required=False,
        max_length=500,
        help_text="For example “corrected the date”. The earlier text stays in the entry’s history.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["kind", "summary", "body", "occurred_date", "occurred_time", "reason", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ChronologyEntry.Kind.choices

    @classmethod
    def for_entry(cls, entry):
        local = timezone.localtime(entry.occurred_at)
        return cls(
            initial={
                "kind": entry.kind,
                "summary": entry.summary,
                "body": entry.body,
                "occurred_date": local.date(),
                "occurred_time": local.time().replace(second=0, microsecond=0),
                "version": entry.version,
            }
        )


class RetractEntryForm(forms.Form):
    reason = forms.CharField(
        label="Why are you retracting this entry?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone on the case sees this reason instead of the entry. The original text stays in its history.",
        error_messages={"required": "Enter why you are retracting this entry"},
    )


class RestrictEntryForm(RestrictionFields):
    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_members(members)


class ChronologyFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label="Kind", required=False, choices=ChronologyEntry.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    organisation = forms.TypedChoiceField(
        label="Organisation", required=False, coerce=int, empty_value=None, widget=ListSelect
    )
    author = forms.TypedChoiceField(label="Author", required=False, coerce=int, empty_value=None, widget=ListSelect)
    date_from = forms.DateField(
        label="From", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"}
    )
    date_to = forms.DateField(
        label="To", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"}
    )
    q = forms.CharField(label="Words in the entry", required=False, max_length=100)

    def __init__(self, *args, authors, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", "Anyone"), *authors]
        self.fields["organisation"].choices = [("", "Any organisation"), *organisations]
        for name in ("organisation", "author", "q"):
            self.fields[name].widget.attrs.update(FULL_WIDTH)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return data
