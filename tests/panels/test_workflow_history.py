"""The workflow history (who moved a case, when, with what reasons) is append-only in the
database itself, like the audit log."""

import pytest
from django.db import DatabaseError, transaction

from roundtable.panels.models import WorkflowEvent
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    case = CaseFactory()
    return WorkflowEvent.objects.create(
        case=case, workflow="channel", transition="referral", from_state="", to_state="referred", actor=case.owner
    )


def test_the_database_refuses_to_change_a_recorded_transition(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).update(data={"reasons": "rewritten"})
    event.refresh_from_db()
    assert event.data == {}


def test_the_database_refuses_to_delete_a_recorded_transition(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).delete()
    assert WorkflowEvent.objects.filter(pk=event.pk).exists()


def test_new_transitions_can_still_be_recorded(event):
    WorkflowEvent.objects.create(case=event.case, workflow="channel", transition="screen", from_state="referred",
                                 to_state="screened")  # fmt: skip
    assert WorkflowEvent.objects.filter(case=event.case).count() == 2
