"""Forms for the builder (no JSON typing: each question is edited through fields) and for
finding submissions. Rendered as GOV.UK components with ``{{ form }}``."""

import re
import unicodedata
from decimal import Decimal

from django import forms

from roundtable.formbuilder import wellknown
from roundtable.formbuilder.models import Purpose
from roundtable.formbuilder.schema import CHOICE_KINDS, DATE_WHEN, ID_RE, KINDS, OPS, options_of

# The longest question id schema.ID_RE allows.
MAX_ID = 40


def _suggested_id(typed: str) -> str:
    """A well-formed id close to what was typed ("Visit Date" -> "visit_date"), or "" if none."""
    plain = unicodedata.normalize("NFKD", typed).encode("ascii", "ignore").decode()  # "naïve" -> "naive"
    words = re.findall(r"[a-z0-9]+", plain.lower())
    suggestion = "_".join(words)[:MAX_ID].strip("_")
    return suggestion if ID_RE.match(suggestion) else ""


class DefinitionForm(forms.Form):
    name = forms.CharField(label="Name of the form", max_length=200)
    purpose = forms.ChoiceField(label="What the form is for", choices=Purpose.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown at the top of the form to the people filling it in.",
    )
    owner = forms.ChoiceField(
        label="Who owns the form",
        required=False,
        widget=forms.RadioSelect,
        help_text="A panel's own form is built by its chair and administrators, and only that panel can use it.",
    )

    def __init__(self, *args, panels=(), area_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.panels = {str(p.pk): p for p in panels}
        if self.panels:
            self.fields["owner"].choices = [("", f"The area ({area_name})")] + [
                (pk, panel.name) for pk, panel in self.panels.items()
            ]
            self.fields["owner"].initial = ""
        else:
            del self.fields["owner"]

    def clean_owner(self):
        return self.panels.get(self.cleaned_data.get("owner") or "")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Form definition file (.json)", help_text="A file exported from Roundtable's form builder."
    )


class SectionForm(forms.Form):
    title = forms.CharField(label="Section title", max_length=300)
    hint = forms.CharField(
        label="Guidance for this section (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AddQuestionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of question", choices=list(KINDS.items()))


def _options_text(question: dict) -> str:
    return "\n".join(
        o["label"] if o["label"] == o["value"] else f"{o['value']} | {o['label']}" for o in question.get("options", [])
    )


def _slug(label: str, taken: set) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "option"
    value, n = base, 2
    while value in taken:
        value, n = f"{base}_{n}", n + 1
    return value


def parse_options(text: str) -> list[dict]:
    """One option per line: "Label", or "value | Label" to keep a value other forms rely on."""
    options, taken = [], set()
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            value, label = (part.strip() for part in line.split("|", 1))
        else:
            value, label = _slug(line, taken), line
        taken.add(value)
        options.append({"value": value, "label": label})
    return options


class QuestionForm(forms.Form):
    """Every setting of one question; which fields appear depends on its kind."""

    label = forms.CharField(label="Question", max_length=300)
    hint = forms.CharField(
        label="Hint (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    options = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One option per line. To keep a fixed code, write it before a bar: other_agency | Another agency.",
    )
    item_label = forms.CharField(
        label="What one item is called", required=False, max_length=60, help_text="For example: Child, Agency, Sibling."
    )
    min_length = forms.IntegerField(label="Fewest characters (optional)", required=False, min_value=0, max_value=20000)
    max_length = forms.IntegerField(label="Most characters (optional)", required=False, min_value=1, max_value=20000)
    pattern = forms.CharField(
        label="Pattern the answer must match (optional)",
        required=False,
        max_length=200,
        help_text="A regular expression, for example [A-Z]{2}[0-9]{6}. "
        "Patterns that could make checking slow are refused.",
    )
    pattern_message = forms.CharField(
        label="Message when the pattern does not match (optional)", required=False, max_length=300
    )
    min = forms.DecimalField(
        label="Smallest number allowed (optional)", required=False, max_digits=21, decimal_places=6
    )
    max = forms.DecimalField(label="Largest number allowed (optional)", required=False, max_digits=21, decimal_places=6)
    whole_number = forms.BooleanField(label="Whole numbers only", required=False)
    when = forms.ChoiceField(
        label="Which dates are allowed", choices=list(DATE_WHEN.items()), widget=forms.RadioSelect, required=False
    )
    min_selected = forms.IntegerField(
        label="Fewest options to choose (optional)", required=False, min_value=0, max_value=100
    )
    max_selected = forms.IntegerField(
        label="Most options to choose (optional)", required=False, min_value=1, max_value=100
    )
    min_items = forms.IntegerField(label="Fewest items (optional)", required=False, min_value=0, max_value=50)
    max_items = forms.IntegerField(label="Most items (optional)", required=False, min_value=1, max_value=50)
    show_if_question = forms.ChoiceField(label="Show this question only when", required=False)
    show_if_op = forms.ChoiceField(label="Condition", choices=list(OPS.items()), required=False)
    show_if_values = forms.CharField(
        label="Answer(s) that show it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, as the option is labelled (for 'is', give one).",
    )
    question_id = forms.CharField(
        label="Question id (advanced)",
        required=False,
        max_length=200,  # longer is refused by clean_question_id with its length named, not cut short
        help_text="The code answers are kept under and exported with. Most forms never need to change it. "
        f"Lower-case letters, digits and _, starting with a letter, at most {MAX_ID} characters; "
        "unique in the form. Leave it empty to keep the current id.",
    )

    FIELDS_BY_KIND = {
        "short_text": ["min_length", "max_length", "pattern", "pattern_message"],
        "long_text": ["min_length", "max_length"],
        "number": ["min", "max", "whole_number"],
        "date": ["when"],
        "single_choice": ["options"],
        "multiple_choice": ["options", "min_selected", "max_selected"],
        "group": ["item_label", "min_items", "max_items"],
    }
    SHARED = ["label", "hint", "required", "question_id"]
    CONDITION = ["show_if_question", "show_if_op", "show_if_values"]

    def __init__(
        self,
        *args,
        question: dict,
        earlier: list[dict],
        in_group: bool,
        purpose: str = "",
        others: dict[str, str] | None = None,
        **kwargs,
    ):
        """``others``: every other question's id in the form (inside repeating groups too:
        they share one namespace) → its label; ``purpose``: the form's, for well-known ids."""
        self.question, self.earlier, self.in_group = question, earlier, in_group
        self.purpose, self.others = purpose, others or {}
        kind = question["kind"]
        if (not args or args[0] is None) and "initial" not in kwargs:  # a GET: the saved settings
            kwargs["initial"] = self.initial_from(question)
        super().__init__(*args, **kwargs)
        keep = self.SHARED + self.FIELDS_BY_KIND.get(kind, []) + ([] if in_group else self.CONDITION)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "show_if_question" in self.fields:
            self.fields["show_if_question"].choices = [("", "Always show it")] + [
                (q["id"], q["label"][:80]) for q in earlier if q["kind"] != "group"
            ]
        if kind == "group":
            self.fields["required"].label = "At least one item is required"

    @staticmethod
    def initial_from(question: dict) -> dict:
        rules = question.get("validation", {})
        condition = question.get("show_if") or {}
        initial = {
            "label": question.get("label", ""),
            "hint": question.get("hint", ""),
            "question_id": question.get("id", ""),
            "required": question.get("required", False),
            "options": _options_text(question),
            "item_label": question.get("item_label", ""),
            "when": rules.get("when", "any"),
            "show_if_question": condition.get("question", ""),
            "show_if_op": condition.get("op", "equals"),
        }
        initial.update({k: v for k, v in rules.items() if k != "when"})
        if condition:
            values = [condition["value"]] if condition.get("op") == "equals" else condition.get("values", [])
            initial["show_if_values"] = "\n".join(values)
        return initial

    def clean_question_id(self) -> str:
        typed = self.cleaned_data.get("question_id", "")
        if not typed or typed == self.question["id"]:
            return self.question["id"]
        if len(typed) > MAX_ID:
            raise forms.ValidationError(
                f"A question id can be at most {MAX_ID} characters (this one has {len(typed)})."
            )
        suggestion = _suggested_id(typed)
        if typed != typed.lower():
            raise forms.ValidationError(
                f"A question id uses lower-case letters only: write '{suggestion or typed.lower()}', not '{typed}'."
            )
        wrong = sorted({c for c in typed if not (c.isascii() and (c.isalnum() or c == "_"))})
        if wrong:
            shown = ", ".join("a space" if c.isspace() else f"'{c}'" for c in wrong)
            instead = f": for example '{suggestion}'" if suggestion else ""
            raise forms.ValidationError(
                f"A question id can hold only lower-case letters, digits and _ (underscore), not {shown}{instead}."
            )
        if not ID_RE.match(typed):
            raise forms.ValidationError(f"A question id must start with a letter ('{typed}' starts with '{typed[0]}').")
        if typed in self.others:
            raise forms.ValidationError(
                f"Another question in this form already has the id '{typed}' ('{self.others[typed][:60]}'). "
                "Ids are unique across the whole form, including questions inside repeating groups."
            )
        return typed

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # A well-known id must suit what reads it, by the checks the panel's choice and
        # publishing run. Only what this edit would newly break is refused: an imported
        # question that already fails keeps its label editable (choosing it says why not).
        after = wellknown.question_problems(self.purpose, self.to_question(), in_group=self.in_group)
        if data["question_id"] == self.question["id"]:
            before = set(wellknown.question_problems(self.purpose, self.question, in_group=self.in_group))
            after = [problem for problem in after if problem not in before]
        if after:
            self.add_error(
                "question_id",
                f"'{data['question_id']}' is a well-known id: when {wellknown.reader(self.purpose)} reads "
                "its answer, so the question must suit it. Change the question, or choose another id.",
            )
            for problem in after:
                self.add_error("question_id", problem)
        return data

    def to_question(self) -> dict:
        """The question as the form says it should be (checked whole by the service)."""
        data = self.cleaned_data
        question = {key: value for key, value in self.question.items() if key in ("id", "kind", "questions")}
        question["id"] = data.get("question_id") or self.question["id"]
        question.update(
            {"label": data.get("label", ""), "hint": data.get("hint", ""), "required": bool(data.get("required"))}
        )
        rules: dict = {}
        for name in ("min_length", "max_length", "min_selected", "max_selected", "min_items", "max_items"):
            if data.get(name) is not None:
                rules[name] = data[name]
        for name in ("min", "max"):
            if isinstance(data.get(name), Decimal):
                number = data[name]
                rules[name] = int(number) if number == number.to_integral_value() else float(number)
        if data.get("pattern"):
            rules["pattern"] = data["pattern"]
            rules["pattern_message"] = data.get("pattern_message", "")
        if "whole_number" in self.fields:
            rules["whole_number"] = bool(data.get("whole_number"))
        if data.get("when") and data["when"] != "any":
            rules["when"] = data["when"]
        question["validation"] = rules
        if self.question["kind"] in CHOICE_KINDS:
            question["options"] = parse_options(data.get("options", ""))
        if self.question["kind"] == "group":
            question["item_label"] = data.get("item_label") or "Item"
        if data.get("show_if_question"):
            question["show_if"] = self._condition(data)
        return question

    def _condition(self, data) -> dict:
        target = next((q for q in self.earlier if q["id"] == data["show_if_question"]), None)
        op = data.get("show_if_op") or "answered"
        condition = {"question": data["show_if_question"], "op": op}
        if op == "answered":
            return condition
        by_label = {o["label"].lower(): o["value"] for o in options_of(target or {})}
        values = [
            by_label.get(line.strip().lower(), line.strip())
            for line in data.get("show_if_values", "").splitlines()
            if line.strip()
        ]
        if op == "equals":
            condition["value"] = values[0] if values else ""
        else:
            condition["values"] = values
        return condition


class SubmissionSearchForm(forms.Form):
    form = forms.ChoiceField(label="Form", required=False)
    case = forms.CharField(label="Case reference", required=False, max_length=20)
    submitted_from = forms.DateField(
        label="Submitted on or after", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label="Submitted on or before", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, definitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", "Any form")] + [(str(d.pk), d.name) for d in definitions]

    def clean(self):
        data = super().clean()
        if data.get("submitted_from") and data.get("submitted_to") and data["submitted_from"] > data["submitted_to"]:
            self.add_error("submitted_to", "The end date must be the same as or after the start date")
        return data
