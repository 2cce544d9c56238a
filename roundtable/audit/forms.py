from django import forms

from roundtable.accounts.models import Organisation


class EventFilterForm(forms.Form):
    user = forms.CharField(label="User's e-mail contains", required=False, max_length=254)
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none(), required=False)
    action = forms.CharField(
        label="Action starts with", required=False, max_length=80, help_text="For example sign_in or user."
    )
    object_type = forms.CharField(
        label="Object type", required=False, max_length=80, help_text="For example accounts.user"
    )
    object_id = forms.CharField(label="Object ID", required=False, max_length=64)
    date_from = forms.DateField(
        label="From (inclusive)",
        required=False,
        help_text="For example 27 3 2026 or 2026-03-27",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return data

    def apply(self, events):
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(actor_label__icontains=data["user"])
        if data.get("organisation"):
            events = events.filter(organisation_id=data["organisation"].pk)
        if data.get("action"):
            events = events.filter(action__startswith=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"])
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"])
        if data.get("date_from"):
            events = events.filter(occurred_at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(occurred_at__date__lte=data["date_to"])
        return events
