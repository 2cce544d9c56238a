"""Meeting forms. Dates are GOV.UK date inputs (day, month, year); times are typed as
24-hour "10:00"; errors follow the GOV.UK wording and name the field."""

import re
from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from roundtable.meetings.models import Attendance, PreMeetingUpdate

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _person(user) -> str:
    return f"{user.full_name} ({user.organisation.name})"


def parse_time(raw: str, what: str) -> time:
    """ "9:30", "09.30", "14:00" → time. Raises forms.ValidationError naming ``what``."""
    match = _TIME.match(raw or "")
    if not match:
        raise forms.ValidationError(f"Enter {what} as a 24-hour time, like 09:30 or 14:00")
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise forms.ValidationError(f"{what[0].upper()}{what[1:]} must be a real time, like 09:30 or 14:00")
    return time(hours, minutes)


class DateInputMixin:
    """A GOV.UK date input made of the fields <prefix>day, <prefix>month, <prefix>year."""

    def clean_date_parts(self, prefix: str, what: str) -> date | None:
        data = self.cleaned_data
        raw = {part: (data.get(f"{prefix}{part}") or "").strip() for part in ("day", "month", "year")}
        missing = [part for part, value in raw.items() if not value]
        first = f"{prefix}day"
        what_ = what[0].upper() + what[1:]
        if len(missing) == 3:
            self.add_error(first, f"Enter {what}")
            return None
        if missing:
            self.add_error(f"{prefix}{missing[0]}", f"{what_} must include a {' and '.join(missing)}")
            return None
        if not all(value.isdigit() for value in raw.values()):
            self.add_error(first, f"{what_} must be a real date, in numbers")
            return None
        if len(raw["year"]) != 4:
            self.add_error(f"{prefix}year", "The year must include 4 numbers")
            return None
        try:
            return date(int(raw["year"]), int(raw["month"]), int(raw["day"]))
        except ValueError:
            self.add_error(first, f"{what_} must be a real date")
            return None


class MeetingForm(DateInputMixin, forms.Form):
    day = forms.CharField(label="Day", required=False, max_length=2)
    month = forms.CharField(label="Month", required=False, max_length=2)
    year = forms.CharField(label="Year", required=False, max_length=4)
    starts = forms.CharField(
        label="Start time", required=False, help_text="24-hour clock, for example 10:00", max_length=5
    )
    ends = forms.CharField(label="End time (optional)", required=False, help_text="For example, 12:30", max_length=5)
    place = forms.CharField(
        label="Place", required=False, max_length=300, help_text="The room and building, if the panel meets in person"
    )
    video_link = forms.CharField(
        label="Video link",
        required=False,
        max_length=500,
        help_text="If people can join online. It must start with https://",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, meeting) -> dict:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        return {
            "day": starts.day,
            "month": starts.month,
            "year": starts.year,
            "starts": f"{starts:%H:%M}",
            "ends": f"{ends:%H:%M}" if ends else "",
            "place": meeting.place,
            "video_link": meeting.video_link,
            "version": meeting.version,
        }

    def clean(self):
        data = super().clean()
        day = self.clean_date_parts("", "the date of the meeting")
        starts = ends = None
        try:
            starts = parse_time(data.get("starts"), "the start time")
        except forms.ValidationError as error:
            self.add_error("starts", error)
        if (data.get("ends") or "").strip():
            try:
                ends = parse_time(data.get("ends"), "the end time")
            except forms.ValidationError as error:
                self.add_error("ends", error)
        if day and starts:
            data["starts_at"] = timezone.make_aware(datetime.combine(day, starts))
            data["ends_at"] = timezone.make_aware(datetime.combine(day, ends)) if ends else None
        return data


class InviteForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Who to invite to this meeting",
        queryset=None,
        empty_label="Choose a person",
        error_messages={"required": "Choose who to invite", "invalid_choice": "Choose someone from the list"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = _person


class AddCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=20,
        help_text="For example, NS-2026-0042",
        error_messages={"required": "Enter the case's reference"},
    )
    kind = forms.ChoiceField(
        label="Why is it on the agenda?",
        choices=[("new_referral", "New referral"), ("review", "Review")],
        widget=forms.RadioSelect,
        initial="review",
        error_messages={"required": "Choose whether this is a new referral or a review"},
    )


class OtherBusinessForm(forms.Form):
    title = forms.CharField(
        label="Other business",
        max_length=200,
        help_text="What the item is about. Do not name people here: put a case on the agenda instead.",
        error_messages={
            "required": "Enter what the item is about",
            "max_length": "The item's title must be 200 characters or fewer",
        },
    )


class ItemForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, required=False)
    kind = forms.ChoiceField(
        label="Why is it on the agenda?",
        choices=[("new_referral", "New referral"), ("review", "Review")],
        widget=forms.RadioSelect,
        required=False,
    )
    lead = forms.ModelChoiceField(label="Lead", queryset=None, required=False, empty_label="Nobody yet")
    slot_start = forms.CharField(
        label="Slot starts (optional)", required=False, max_length=5, help_text="24-hour clock, for example 10:20"
    )
    slot_minutes = forms.IntegerField(
        label="Minutes allowed (optional)",
        required=False,
        min_value=1,
        max_value=480,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "Enter the minutes allowed as a whole number, like 15",
            "min_value": "The slot must be at least 1 minute",
            "max_value": "The slot must be 480 minutes or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, people, case_item: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = people
        self.fields["lead"].label_from_instance = _person
        if case_item:
            del self.fields["title"]
        else:
            del self.fields["kind"]
            self.fields["title"].required = True
            self.fields["title"].error_messages["required"] = "Enter what the item is about"

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "title": item.title,
            "kind": item.kind,
            "lead": item.lead_id,
            "slot_start": f"{item.slot_start:%H:%M}" if item.slot_start else "",
            "slot_minutes": item.slot_minutes,
            "version": item.version,
        }

    def clean_slot_start(self):
        raw = (self.cleaned_data.get("slot_start") or "").strip()
        return parse_time(raw, "the slot's start") if raw else None


class PublishForm(forms.Form):
    late_confirmed = forms.BooleanField(
        label="I understand the agenda is going out late and want to publish it now", required=False
    )


class UpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Is this person known to your organisation?",
        choices=PreMeetingUpdate.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the person is known to your organisation"},
    )
    stage = forms.CharField(
        label="If open to you: at what stage?",
        required=False,
        max_length=200,
        help_text="For example, “open to CAMHS, on the waiting list”",
        error_messages={"max_length": "The stage must be 200 characters or fewer"},
    )
    note = forms.CharField(
        label="Anything the panel should know (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == PreMeetingUpdate.Status.OPEN and not (data.get("stage") or "").strip():
            self.add_error("stage", "Enter the stage the case is at with you, for example “on the waiting list”")
        return data


class AttendanceForm(forms.Form):
    """One radio group per person of the meeting (attendance_<user id>), and a guest."""

    guest_name = forms.CharField(label="Guest's name (optional)", required=False, max_length=150)
    guest_organisation = forms.CharField(label="Guest's organisation (optional)", required=False, max_length=200)
    guest_status = forms.ChoiceField(
        label="Guest's attendance", choices=Attendance.Status.choices, required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, people, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person in self.people:
            self.fields[f"attendance_{person.pk}"] = forms.ChoiceField(
                label=_person(person),
                choices=[("", "Not recorded"), *Attendance.Status.choices],
                required=False,
                initial=current.get(person.pk, ""),
                widget=forms.RadioSelect,
            )

    def person_fields(self):
        return [(person, self[f"attendance_{person.pk}"]) for person in self.people]

    def clean(self):
        data = super().clean()
        if (data.get("guest_name") or "").strip() and not data.get("guest_status"):
            self.add_error("guest_status", "Choose whether the guest was present, sent apologies or was absent")
        return data


class ApologiesForm(forms.Form):
    note = forms.CharField(label="Message for the chair (optional)", required=False, max_length=300)


class PanelCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference", max_length=20, error_messages={"required": "Enter the case's reference"}
    )


VISIT_ACTION_ROWS = 3


class VisitForm(DateInputMixin, forms.Form):
    """A school visit, typed on a phone in the school: the slot, the cases, the work done
    and up to ``rows`` actions (more rows: "Add another action" re-shows the form)."""

    school = forms.ModelChoiceField(
        label="School",
        queryset=None,
        empty_label="Choose the school",
        error_messages={"required": "Choose the school", "invalid_choice": "Choose a school from the list"},
    )
    visit_day = forms.CharField(label="Day", required=False, max_length=2)
    visit_month = forms.CharField(label="Month", required=False, max_length=2)
    visit_year = forms.CharField(label="Year", required=False, max_length=4)
    slot_start = forms.CharField(label="Start time", max_length=5, help_text="For example, 09:00", required=False)
    slot_end = forms.CharField(
        label="End time (optional)", max_length=5, required=False, help_text="Leave empty for a 2-hour slot"
    )
    cases = forms.ModelMultipleChoiceField(
        label="Cases discussed",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    work_done = forms.CharField(
        label="Work done in the visit",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the work done in the visit"},
    )
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, schools, cases, members_of, nation: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["cases"].queryset = cases
        self.fields["cases"].label_from_instance = lambda case: f"{case.reference} {case.title}"
        self.members_of = members_of
        self.nation = nation
        try:
            rows = int(self.data.get("rows") or VISIT_ACTION_ROWS) if self.is_bound else VISIT_ACTION_ROWS
        except ValueError:
            rows = VISIT_ACTION_ROWS
        self.row_count = max(1, min(rows, 20))
        for n in range(1, self.row_count + 1):
            self.fields[f"action_{n}_case"] = forms.ModelChoiceField(
                label="Case", queryset=cases, required=False, empty_label="Choose a case"
            )
            self.fields[f"action_{n}_case"].label_from_instance = lambda case: case.reference
            self.fields[f"action_{n}_title"] = forms.CharField(
                label="What needs to be done", required=False, max_length=200
            )
            self.fields[f"action_{n}_assignee"] = forms.ModelChoiceField(
                label="Who should do it", queryset=members_of, required=False, empty_label="Choose a person"
            )
            self.fields[f"action_{n}_assignee"].label_from_instance = _person
            self.fields[f"action_{n}_working_days"] = forms.IntegerField(
                label="Due in how many working days",
                required=False,
                min_value=0,
                max_value=250,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
                error_messages={"invalid": "Enter the working days as a whole number, like 5"},
            )

    def action_rows(self):
        return [
            (n, [self[f"action_{n}_{part}"] for part in ("case", "title", "assignee", "working_days")])
            for n in range(1, self.row_count + 1)
        ]

    def clean(self):
        from roundtable.meetings.services import ActionDraft
        from roundtable.tasks.working_days import add_working_days

        data = super().clean()
        data["visit_date"] = self.clean_date_parts("visit_", "the date of the visit")
        try:
            data["slot_start_time"] = parse_time(data.get("slot_start"), "the start time")
        except forms.ValidationError as error:
            self.add_error("slot_start", error)
        data["slot_end_time"] = None
        if (data.get("slot_end") or "").strip():
            try:
                data["slot_end_time"] = parse_time(data.get("slot_end"), "the end time")
            except forms.ValidationError as error:
                self.add_error("slot_end", error)
        drafts = []
        for n in range(1, self.row_count + 1):
            case, title = data.get(f"action_{n}_case"), (data.get(f"action_{n}_title") or "").strip()
            assignee, days = data.get(f"action_{n}_assignee"), data.get(f"action_{n}_working_days")
            if not any([case, title, assignee, days is not None]):
                continue  # an empty row
            if case is None:
                self.add_error(f"action_{n}_case", f"Action {n}: choose the case")
            if not title:
                self.add_error(f"action_{n}_title", f"Action {n}: enter what needs to be done")
            if assignee is None:
                self.add_error(f"action_{n}_assignee", f"Action {n}: choose who should do it")
            if days is None:
                self.add_error(f"action_{n}_working_days", f"Action {n}: enter when it is due, in working days")
            if case and title and assignee and days is not None:
                due = add_working_days(timezone.localdate(), days, self.nation)
                drafts.append(ActionDraft(case, title, assignee, due))
        data["drafts"] = drafts
        return data
