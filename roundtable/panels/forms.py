"""Panel settings form. People are chosen from the panel's area; the Channel settings
show for Channel panels only."""

from django import forms

from roundtable.panels.models import Panel

CHANNEL_ONLY = ("police_lead", "prevent_team", "adults_lead", "children_lead", "post_exit_review_months")


def _person(user) -> str:
    return f"{user.full_name} ({user.organisation.name})"


class PanelForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the panel's name"})
    chair = forms.ModelChoiceField(
        label="Chair",
        queryset=None,
        empty_label="Choose the chair",
        error_messages={"required": "Choose the panel's chair", "invalid_choice": "Choose someone from the list"},
    )
    administrators = forms.ModelMultipleChoiceField(
        label="Panel administrators", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    members = forms.ModelMultipleChoiceField(
        label="Standing members",
        help_text="Partners who sit on the panel. They see a case only when it is brought to them.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    police_lead = forms.ModelChoiceField(
        label="Police Prevent lead",
        help_text="Endorses exits with the chair. Referrals cannot be made to the panel until one is named.",
        queryset=None,
        required=False,
        empty_label="Nobody yet",
    )
    prevent_team = forms.ModelMultipleChoiceField(
        label="Police Prevent team",
        help_text="Referrals land in their queue for screening.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    adults_lead = forms.ModelChoiceField(
        label="Local authority Prevent lead for adults", queryset=None, required=False, empty_label="Nobody yet"
    )
    children_lead = forms.ModelChoiceField(
        label="Local authority Prevent lead for children and families",
        queryset=None,
        required=False,
        empty_label="Nobody yet",
    )
    info_request_days = forms.IntegerField(
        label="Working days partners have to answer an information request",
        min_value=1,
        max_value=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter the number of working days",
            "invalid": "The number of working days must be a whole number, like 5",
            "min_value": "The number of working days must be between 1 and 30",
            "max_value": "The number of working days must be between 1 and 30",
        },
    )
    post_exit_review_months = forms.CharField(
        label="Reviews after exit, in months",
        help_text="Separate the months with commas, for example 6,12. Leave empty for no reviews.",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    is_active = forms.BooleanField(label="The panel is active", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = people
                field.label_from_instance = _person
        if kind != Panel.Kind.CHANNEL:
            for name in CHANNEL_ONLY:
                del self.fields[name]

    @classmethod
    def initial_for(cls, panel: Panel) -> dict:
        return {
            "name": panel.name,
            "chair": panel.chair_id,
            "administrators": list(panel.administrators.all()),
            "members": list(panel.members.all()),
            "police_lead": panel.police_lead_id,
            "prevent_team": list(panel.prevent_team.all()),
            "adults_lead": panel.adults_lead_id,
            "children_lead": panel.children_lead_id,
            "info_request_days": panel.info_request_days,
            "post_exit_review_months": panel.post_exit_review_months,
            "is_active": panel.is_active,
            "version": panel.version,
        }

    def settings(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class NewPanelForm(forms.Form):
    """A new panel: its kind, area, name and chair. The rest is set on its settings page."""

    kind = forms.ChoiceField(
        label="Kind of panel",
        choices=Panel.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of panel"},
    )
    area = forms.ModelChoiceField(
        label="Area",
        queryset=None,
        empty_label="Choose the area",
        error_messages={"required": "Choose the panel's area", "invalid_choice": "Choose an area from the list"},
    )
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the panel's name"})
    chair = forms.ModelChoiceField(
        label="Chair",
        help_text="Someone from an organisation in the panel's area.",
        queryset=None,
        empty_label="Choose the chair",
        error_messages={"required": "Choose the panel's chair", "invalid_choice": "Choose someone from the list"},
    )

    def __init__(self, *args, areas, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["chair"].queryset = people
        self.fields["chair"].label_from_instance = lambda user: f"{_person(user)}, {user.organisation.area.name}"
