"""No lost edits: optimistic locking for records two people may edit at once.

Every editable model has a ``version`` column. A form carries the version it was
loaded at; saving bumps the version only if nobody else saved in between. Otherwise
the caller gets ``EditConflict`` with the record as it now is and the fields where the
other person's text differs from this person's, so the page can show both and keep
this person's text for them to re-apply."""

from dataclasses import dataclass

from django.db import models
from django.db.models import F


@dataclass
class FieldConflict:
    field: str
    label: str
    theirs: object
    yours: object


class EditConflict(Exception):
    def __init__(self, current: models.Model, conflicts: list[FieldConflict]):
        super().__init__("Someone else saved this record while you were editing it.")
        self.current = current
        self.conflicts = conflicts


def save_if_unchanged(obj: models.Model, expected_version: int, changes: dict) -> models.Model:
    """Apply ``changes`` to ``obj`` if its stored version is still ``expected_version``.

    Runs one conditional UPDATE, so two concurrent saves cannot both succeed."""
    model = type(obj)
    updated = model.objects.filter(pk=obj.pk, version=expected_version).update(**changes, version=F("version") + 1)
    current = model.objects.get(pk=obj.pk)
    if not updated:
        raise EditConflict(current, _differences(model, current, changes))
    return current


def _differences(model, current, changes: dict) -> list[FieldConflict]:
    conflicts = []
    for name, yours in changes.items():
        theirs = getattr(current, name)
        if theirs != yours:
            label = str(model._meta.get_field(name).verbose_name).capitalize()
            conflicts.append(FieldConflict(name, label, theirs, yours))
    return conflicts
