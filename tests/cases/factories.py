"""Factories for the cases tests (the shared ones live in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from roundtable.cases.models import CaseMembership
from roundtable.tasks.models import Task
from tests.factories import CaseFactory, UserFactory


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseMembership

    case = factory.SubFactory(CaseFactory)
    user = factory.SubFactory(UserFactory)
    role = CaseMembership.Role.CONTRIBUTOR


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    assignee = factory.LazyAttribute(lambda task: task.case.owner)
    created_by = factory.LazyAttribute(lambda task: task.case.owner)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5))


def overdue(case, **kwargs):
    return TaskFactory(case=case, due_date=timezone.localdate() - timedelta(days=2), **kwargs)
