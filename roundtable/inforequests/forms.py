"""Forms for sending and answering information requests. The services check everything
again (the API uses them too); the forms turn what was typed into what the services take,
with GOV.UK wording for problems they can see first."""

from django import forms

from roundtable.accounts.models import User
from roundtable.documents.forms import ACCEPT
from roundtable.documents.uploads import describe_size, max_bytes
from roundtable.inforequests.models import (
    CONSENT_HINTS,
    LAWFUL_BASIS_HINTS,
    MAX_DAYS,
    MIN_DAYS,
    STANDARD_QUESTIONS,
    InformationRequest,
    RequestRecipient,
)

Basis = InformationRequest.LawfulBasis
Consent = InformationRequest.Consent


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RequestForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label="Organisations to ask",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Anyone at the organisation who does case work can answer.",
        error_messages={"invalid_choice": "Choose organisations from the list"},
    )
    people = forms.CharField(
        label="Named people to ask (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text="Their e-mail addresses, one on each line. Only they can answer.",
    )
    questions = forms.MultipleChoiceField(
        label="Questions",
        choices=STANDARD_QUESTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose questions from the list"},
    )
    custom_questions = forms.CharField(
        label="Your own questions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One question on each line.",
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=Basis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the lawful basis for sharing",
            "invalid_choice": "Choose the lawful basis for sharing",
        },
    )
    lawful_basis_detail = forms.CharField(
        label="The lawful basis you are relying on", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_position = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether consent was given, not sought or refused",
            "invalid_choice": "Choose whether consent was given, not sought or refused",
        },
    )
    # One reason box under each consent choice that needs one (GOV.UK conditional reveal).
    not_sought_reason = forms.CharField(
        label="Why consent was not sought", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    refused_reason = forms.CharField(
        label="Why sharing is still necessary", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    days = forms.CharField(label="Working days to answer", max_length=4)

    def __init__(self, *args, organisations, case_area, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        field.queryset = organisations

        def label(organisation):
            where = "" if organisation.area_id == case_area.pk else f", {organisation.area.name}"
            return f"{organisation.name} ({organisation.get_sector_display()}{where})"

        field.label_from_instance = label
        self.fields["days"].error_messages["required"] = "Enter the number of working days to answer in"
        # (value, label, hint) for the radios with their plain-English explanations.
        self.basis_options = [(value, label, LAWFUL_BASIS_HINTS[value]) for value, label in Basis.choices]
        self.consent_options = [(value, label, CONSENT_HINTS[value]) for value, label in Consent.choices]

    def clean_people(self):
        emails = [line.lower() for line in split_lines(self.cleaned_data.get("people"))]
        found = {user.email: user for user in User.objects.filter(email__in=emails).select_related("organisation")}
        unknown = [email for email in emails if email not in found]
        if unknown:
            raise forms.ValidationError(
                [
                    f"Nobody with the e-mail address {email} uses Roundtable. Check the address, or ask their "
                    "organisation instead"
                    for email in unknown
                ]
            )
        return [found[email] for email in dict.fromkeys(emails)]

    def clean_days(self):
        raw = (self.cleaned_data.get("days") or "").strip()
        if not raw.isdigit():
            raise forms.ValidationError("The number of working days must be a whole number, like 5")
        days = int(raw)
        if not MIN_DAYS <= days <= MAX_DAYS:
            raise forms.ValidationError(f"The number of working days must be between {MIN_DAYS} and {MAX_DAYS}")
        return days

    def consent_detail(self) -> str:
        position = self.cleaned_data.get("consent_position")
        if position == Consent.NOT_SOUGHT:
            return self.cleaned_data.get("not_sought_reason", "")
        if position == Consent.REFUSED:
            return self.cleaned_data.get("refused_reason", "")
        return ""


# The service says "consent_detail"; the form has one box per consent choice.
CONSENT_DETAIL_FIELD = {Consent.NOT_SOUGHT: "not_sought_reason", Consent.REFUSED: "refused_reason"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AttachmentsForm(forms.Form):
    """The files sent with an answer: the fixed answer form's last field, and the same upload
    below a panel's information return form."""

    attachments = MultipleFileField(label="Attach files (optional)", required=False, allow_empty_file=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = (
            f"Only if you are providing information. Up to 10 files: PDF, Word, Excel, PowerPoint, OpenDocument, "
            f"photos or recordings, each up to {describe_size(max_bytes())}."
        )
        self.fields["attachments"].widget.attrs["accept"] = ACCEPT


class AnswerForm(AttachmentsForm):
    outcome = forms.ChoiceField(
        label="Do you know this person?",
        choices=RequestRecipient.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you know this person, and whether you have information to share",
            "invalid_choice": "Choose whether you know this person, and whether you have information to share",
        },
    )
    answer = forms.CharField(
        label="Your answer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Required if you are providing information. Otherwise you can add a note, for example which "
        "records you checked.",
    )
    # Last, so that if a file is refused for its size the answer text has already arrived.
    field_order = ["outcome", "answer", "attachments"]
