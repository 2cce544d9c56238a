"""Task forms. The due date is entered either as a date (GOV.UK date input: day, month,
year) or as a number of working days from today; errors follow the GOV.UK wording."""

from datetime import date

from django import forms
from django.utils import timezone

from roundtable.tasks.models import Task
from roundtable.tasks.working_days import add_working_days

DUE_DATE, WORKING_DAYS = "date", "working_days"
MAX_WORKING_DAYS = 250  # about a year: anything longer is a plan, not a task


class TaskForm(forms.Form):
    title = forms.CharField(
        label="What needs to be done",
        max_length=200,
        error_messages={
            "required": "Enter what needs to be done",
            "max_length": "What needs to be done must be 200 characters or fewer",
        },
    )
    description = forms.CharField(
        label="More detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    assignee = forms.ModelChoiceField(
        label="Who should do it",
        queryset=None,
        empty_label="Choose a member of the case",
        error_messages={
            "required": "Choose who should do it",
            "invalid_choice": "Choose someone who is a member of this case",
        },
    )
    due_mode = forms.ChoiceField(
        label="When is it due?",
        choices=[(DUE_DATE, "On a date"), (WORKING_DAYS, "In a number of working days")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how to set the due date"},
    )
    due_day = forms.CharField(label="Day", required=False, max_length=2)
    due_month = forms.CharField(label="Month", required=False, max_length=2)
    due_year = forms.CharField(label="Year", required=False, max_length=4)
    working_days = forms.CharField(label="Number of working days", required=False, max_length=4)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, members, nation: str, current_due_date: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda user: f"{user.full_name} ({user.organisation.name})"
        self.nation = nation
        self.current_due_date = current_due_date
        self.date_error_parts: set[str] = set()

    @classmethod
    def initial_for(cls, task: Task) -> dict:
        return {
            "title": task.title,
            "description": task.description,
            "assignee": task.assignee_id,
            "due_mode": DUE_DATE,
            "due_day": task.due_date.day,
            "due_month": task.due_date.month,
            "due_year": task.due_date.year,
            "version": task.version,
        }

    def clean(self):
        data = super().clean()
        mode = data.get("due_mode")
        if mode == DUE_DATE:
            data["due_date"] = self._clean_date(data)
        elif mode == WORKING_DAYS:
            data["due_date"] = self._clean_working_days(data)
        return data

    def _date_error(self, message: str, parts: list[str]) -> None:
        # One message for the date input, linked from the summary to the first wrong box.
        self.date_error_parts = set(parts)
        self.add_error(f"due_{parts[0]}", message)

    def _clean_date(self, data) -> date | None:
        raw = {part: (data.get(f"due_{part}") or "").strip() for part in ("day", "month", "year")}
        missing = [part for part, value in raw.items() if not value]
        if len(missing) == 3:
            self._date_error("Enter the due date", ["day", "month", "year"])
            return None
        if missing:
            self._date_error(f"The due date must include a {' and '.join(missing)}", missing)
            return None
        not_numbers = [part for part, value in raw.items() if not value.isdigit()]
        if not_numbers:
            self._date_error("The due date must be a real date, in numbers", not_numbers)
            return None
        if len(raw["year"]) != 4:
            self._date_error("The year must include 4 numbers", ["year"])
            return None
        try:
            due = date(int(raw["year"]), int(raw["month"]), int(raw["day"]))
        except ValueError:
            wrong = ["month"] if not 1 <= int(raw["month"]) <= 12 else ["day"]
            self._date_error("The due date must be a real date", wrong)
            return None
        if due < timezone.localdate() and due != self.current_due_date:
            self._date_error("The due date must be today or in the future", ["day", "month", "year"])
            return None
        return due

    def _clean_working_days(self, data) -> date | None:
        raw = (data.get("working_days") or "").strip()
        if not raw:
            self.add_error("working_days", "Enter the number of working days")
            return None
        if not raw.isdigit():
            self.add_error("working_days", "The number of working days must be a whole number, like 5")
            return None
        n = int(raw)
        if n > MAX_WORKING_DAYS:
            self.add_error("working_days", f"The number of working days must be {MAX_WORKING_DAYS} or fewer")
            return None
        return add_working_days(timezone.localdate(), n, self.nation)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Task.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status from the list"},
    )
    completion_note = forms.CharField(
        label="Completion note",
        required=False,
        help_text="Required when the task is done or cancelled: what was done, or why it was cancelled.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        from roundtable.tasks.services import NOTE_REQUIRED

        data = super().clean()
        status = data.get("status")
        if status in NOTE_REQUIRED and not (data.get("completion_note") or "").strip():
            self.add_error("completion_note", NOTE_REQUIRED[status])
        return data
