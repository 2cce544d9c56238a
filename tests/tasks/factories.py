"""Factories for tasks (app-specific; the shared ones are in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from roundtable.tasks.models import Task
from tests.factories import CaseFactory


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task on a case, set by and assigned to the case owner unless told otherwise."""

    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Task number {n}")
    assignee = factory.LazyAttribute(lambda task: task.case.owner)
    created_by = factory.LazyAttribute(lambda task: task.case.owner)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5))
