"""Forms of the live meeting, the minutes and the audio recording."""

from django import forms

from roundtable.meetings.forms import DateInputMixin


def _person(user) -> str:
    return f"{user.full_name} ({user.organisation.name})"


class MinutesForm(forms.Form):
    minutes_text = forms.CharField(
        label="Minutes of this item",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What was said and agreed. If someone else saves first, you will see both texts.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    original = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    @classmethod
    def initial_for(cls, item) -> dict:
        return {"minutes_text": item.minutes_text, "version": item.version, "original": item.minutes_text}


class DecisionForm(forms.Form):
    decision = forms.CharField(label="Decision", required=False, max_length=200)
    decision_reasons = forms.CharField(label="Reasons", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    original_decision = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    original_reasons = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs.pop("maxlength", None)

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "decision": item.decision,
            "decision_reasons": item.decision_reasons,
            "version": item.version,
            "original_decision": item.decision,
            "original_reasons": item.decision_reasons,
        }


class ActionForm(DateInputMixin, forms.Form):
    title = forms.CharField(label="Action", required=False, max_length=200, help_text="What needs to be done")
    assignee = forms.ModelChoiceField(label="Who will do it", queryset=None, required=False, empty_label="Choose")
    due_day = forms.CharField(label="Day", required=False, max_length=2)
    due_month = forms.CharField(label="Month", required=False, max_length=2)
    due_year = forms.CharField(label="Year", required=False, max_length=4)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people
        self.fields["assignee"].label_from_instance = _person
        self.fields["title"].widget.attrs.pop("maxlength", None)

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip():
            self.add_error("title", "Enter what needs to be done")
        if data.get("assignee") is None and "assignee" not in self.errors:
            self.add_error("assignee", "Choose who will do it")
        data["due_date"] = self.clean_date_parts("due_", "the date it is due")
        return data


class MinutesTextForm(forms.Form):
    text = forms.CharField(
        label="Chair's notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="An introduction, corrections or other matters. The items, decisions, actions and "
        "attendance are added from the meeting's record.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput)


class RecordingUploadForm(forms.Form):
    title = forms.CharField(
        label="Title (optional)", required=False, max_length=200, help_text="For example, “Morning session”"
    )
    file = forms.FileField(
        label="Audio recording",
        required=False,
        help_text="MP3, M4A, WAV or Ogg. Large files are fine: they are streamed to storage.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and "file" not in self.errors:
            self.add_error("file", "Choose the recording to upload")
        return data


class ListenersForm(forms.Form):
    listeners = forms.ModelMultipleChoiceField(
        label="Who else may listen",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You can always listen, and so can whoever uploaded the recording. "
        "The recording covers every item, including cases some of these people are not members of.",
    )

    def __init__(self, *args, people=None, cases_total=0, not_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listeners"].queryset = people
        not_on = not_on or {}

        def label(user) -> str:
            missing = not_on.get(user.pk, 0)
            if not missing:
                return _person(user)
            return f"{_person(user)} – not a member of {missing} of the {cases_total} cases discussed"

        self.fields["listeners"].label_from_instance = label
