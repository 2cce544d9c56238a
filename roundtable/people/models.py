"""Person profiles: one holistic record of a child or adult that every partner shares."""

from django.conf import settings
from django.db import models

from roundtable.accounts.models import Area, Organisation


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class Person(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    # When the date of birth is not known: an approximate age, as at the record's creation.
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    nationality = models.CharField(max_length=100, blank=True)
    immigration_status = models.CharField(max_length=200, blank=True)
    school_or_employer = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="people")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save carries the version it was based on (see "no lost edits").
    version = models.PositiveIntegerField(default=1)
    # A merged duplicate points at the surviving profile; its history stays readable.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"]), models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def age(self) -> int | None:
        """Age today from the date of birth (None when only an approximate age is known)."""
        if self.date_of_birth is None:
            return None
        from datetime import date

        today = date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class PersonName(models.Model):
    """Aliases, previous names and other spellings, searched like the main name."""

    class Kind(models.TextChoices):
        ALIAS = "alias", "Alias or nickname"
        PREVIOUS = "previous", "Previous name"
        OTHER_SPELLING = "other_spelling", "Other spelling"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("Address line 1", max_length=200)
    line2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-moved_in"]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line1, self.line2, self.town, self.postcode) if part)


class Relationship(models.Model):
    """A family or household link between two profiles (stored once, read both ways)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    related_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="related_to")
    kind = models.CharField(max_length=60, help_text="For example mother, brother, carer, lives with")
    lives_with = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.related_person} ({self.kind})"


class SafeguardingFlag(models.Model):
    class Kind(models.TextChoices):
        CHILD_PROTECTION_PLAN = "cpp", "Child Protection Plan"
        CHILD_IN_NEED = "cin", "Child in Need"
        LOOKED_AFTER_CHILD = "lac", "Looked After Child"
        EHCP = "ehcp", "Education, Health and Care Plan"
        MAPPA = "mappa", "MAPPA"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.get_kind_display()


class AgencyInvolvement(models.Model):
    """Which agency works with the person and at what stage, kept up to date by that agency."""

    class Status(models.TextChoices):
        NOT_KNOWN = "not_known", "Not known"
        KNOWN_CLOSED = "known_closed", "Known – closed"
        OPEN_ASSESSMENT = "open_assessment", "Open – assessment"
        OPEN_WAITING_LIST = "open_waiting_list", "Open – waiting list"
        OPEN_ACTIVE = "open_active", "Open – active"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="involvements")
    service = models.CharField(max_length=200, blank=True, help_text="For example CAMHS, Early Help")
    status = models.CharField(max_length=30, choices=Status.choices)
    stage = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()}"


class SearchKey(models.Model):
    """Short, indexed keys derived from every name a person is known by (main and other
    names): a phonetic code and a prefix per name part. Deconfliction narrows candidates
    with an indexed lookup on these before scoring them with rapidfuzz, so a search never
    loads every person. Rebuilt by services whenever a name changes (see matching.py)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(max_length=24)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "person"], name="one_search_key_per_person")]

    def __str__(self) -> str:
        return self.key
