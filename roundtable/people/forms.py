from datetime import date

from django import forms

from roundtable.people.matching import is_postcode, normalise_postcode
from roundtable.people.models import AgencyInvolvement, PersonName, SafeguardingFlag, Sex

DATE_HINT = "For example, 27/3/2012"


def date_field(label: str, *, required: bool = False, hint: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=hint,
        error_messages={
            "invalid": f"Enter {label.lower().removesuffix(' (optional)')} as a real date, {DATE_HINT.lower()}",
            "required": f"Enter {label.lower()}",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )


def postcode_field(label: str = "Postcode (optional)") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=10, widget=forms.TextInput(attrs={"class": "govuk-input--width-10"})
    )


def _clean_postcode(value: str) -> str:
    if value and not is_postcode(value):
        raise forms.ValidationError("Enter a real postcode, for example NS1 4AB")
    return normalise_postcode(value)


class SearchForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    date_of_birth = date_field("Date of birth (optional)")
    postcode = postcode_field("Postcode of any address, current or past (optional)")

    def clean_postcode(self):
        return _clean_postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        if not (data.get("given_name", "").strip() or data.get("family_name", "").strip()):
            self.add_error("family_name", "Enter a given name or a family name to search for")
        return data


class IdentityForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    date_of_birth = date_field("Date of birth (optional)")
    approximate_age = forms.IntegerField(
        label="Approximate age in years (optional)",
        help_text="Only if the date of birth is not known",
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter the approximate age as a whole number of years, for example 14"},
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.NOT_KNOWN, widget=forms.RadioSelect)
    gender = forms.CharField(label="Gender (optional)", max_length=100, required=False)
    ethnicity = forms.CharField(label="Ethnicity (optional)", max_length=100, required=False)
    languages = forms.CharField(
        label="Languages (optional)", max_length=200, required=False, help_text="For example, English, Polish"
    )
    nationality = forms.CharField(label="Nationality (optional)", max_length=100, required=False)
    immigration_status = forms.CharField(
        label="Immigration status (optional)", max_length=200, required=False, help_text="Only where it is relevant"
    )
    school_or_employer = forms.CharField(label="School or employer (optional)", max_length=200, required=False)
    phone = forms.CharField(label="Phone number (optional)", max_length=50, required=False)
    email = forms.EmailField(
        label="E-mail address (optional)",
        required=False,
        error_messages={"invalid": "Enter an e-mail address in the right format, like name@example.com"},
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > date.today():
            raise forms.ValidationError("Date of birth must be in the past")
        return value

    def clean(self):
        data = super().clean()
        if data.get("date_of_birth") and data.get("approximate_age") is not None:
            self.add_error("approximate_age", "Give a date of birth or an approximate age, not both")
        return data

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name not in ("version", "original")}


class CreatePersonForm(IdentityForm):
    line1 = forms.CharField(label="Current address line 1 (optional)", max_length=200, required=False)
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city (optional)", max_length=100, required=False)
    postcode = postcode_field()
    moved_in = date_field("Moved in (optional)")

    ADDRESS_FIELDS = ("line1", "line2", "town", "postcode", "moved_in")

    def clean_postcode(self):
        return _clean_postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        if not data.get("line1") and any(data.get(name) for name in ("line2", "town", "postcode", "moved_in")):
            self.add_error("line1", "Enter the first line of the address, or leave all the address fields empty")
        return data

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name not in self.ADDRESS_FIELDS}

    def address(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.ADDRESS_FIELDS}


class EditPersonForm(IdentityForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # A signed copy of the values the form was loaded with, so only fields this person
    # actually changed are saved (see views.edit).
    original = forms.CharField(widget=forms.HiddenInput, required=False)


class NameForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of name is this?", choices=PersonName.Kind.choices, widget=forms.RadioSelect
    )
    given_name = forms.CharField(label="Given name (optional)", max_length=100, required=False)
    family_name = forms.CharField(label="Family name (optional)", max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("given_name", "").strip() or data.get("family_name", "").strip()):
            self.add_error("given_name", "Enter a given name, a family name or both")
        return data


class AddressForm(forms.Form):
    line1 = forms.CharField(label="Address line 1", max_length=200)
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city (optional)", max_length=100, required=False)
    postcode = postcode_field()
    moved_in = date_field("Moved in (optional)")
    moved_out = date_field("Moved out (optional)", hint=f"Leave empty if this is a current address. {DATE_HINT}")

    def clean_postcode(self):
        return _clean_postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        if data.get("moved_in") and data.get("moved_out") and data["moved_out"] < data["moved_in"]:
            self.add_error("moved_out", "The moved out date must be the same as or after the moved in date")
        return data


def person_label(person) -> str:
    born = f", born {person.date_of_birth:%-d %B %Y}" if person.date_of_birth else ""
    return f"{person.full_name}{born}"


class RelationshipForm(forms.Form):
    related_person = forms.ModelChoiceField(
        label="Linked profile",
        queryset=None,
        help_text="Only profiles you have access to are listed",
        error_messages={"required": "Choose the profile to link", "invalid_choice": "Choose a profile from the list"},
    )
    kind = forms.CharField(label="Relationship", max_length=60, help_text="For example mother, brother, carer")
    lives_with = forms.BooleanField(label="Lives in the same household", required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related_person"].queryset = people
        self.fields["related_person"].label_from_instance = person_label


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label="Flag", choices=SafeguardingFlag.Kind.choices, widget=forms.RadioSelect)
    detail = forms.CharField(label="Detail (optional)", max_length=200, required=False, help_text="Needed for 'Other'")
    started = date_field("Start date (optional)")
    ended = date_field("End date (optional)")

    def clean(self):
        data = super().clean()
        if data.get("kind") == SafeguardingFlag.Kind.OTHER and not data.get("detail", "").strip():
            self.add_error("detail", "Describe the flag when you choose 'Other'")
        if data.get("started") and data.get("ended") and data["ended"] < data["started"]:
            self.add_error("ended", "The end date must be the same as or after the start date")
        return data


class EndFlagForm(forms.Form):
    ended = date_field("End date", required=True)


class InvolvementForm(forms.Form):
    service = forms.CharField(
        label="Service (optional)", max_length=200, required=False, help_text="For example CAMHS, Early Help"
    )
    status = forms.ChoiceField(label="Status", choices=AgencyInvolvement.Status.choices, widget=forms.RadioSelect)
    stage = forms.CharField(label="Stage (optional)", max_length=200, required=False)
    contact = forms.CharField(
        label="Contact (optional)", max_length=200, required=False, help_text="Who partners should speak to"
    )


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label="The other profile",
        queryset=None,
        help_text="Only profiles you have access to are listed",
        error_messages={
            "required": "Choose the profile to merge with",
            "invalid_choice": "Choose a profile from the list",
        },
    )
    keep = forms.ChoiceField(
        label="Which profile should remain?",
        choices=[("this", "This profile"), ("other", "The other profile")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which profile should remain"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = people
        self.fields["other"].label_from_instance = person_label
