"""Services refuse an action the actor may not take through policy.permit, in words a person
reads (the message reaches pages and the API)."""

import pytest
from django.core.exceptions import PermissionDenied

from roundtable.access import policy
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_refusal_names_the_action(organisation):
    case = CaseFactory(owner=UserFactory(organisation=organisation))
    outsider = UserFactory(organisation=organisation)
    with pytest.raises(PermissionDenied, match="^You cannot case manage members$"):
        policy.permit(outsider, "case.manage_members", case)


def test_a_refusal_can_say_what_was_being_done_in_plain_words(organisation):
    case = CaseFactory(owner=UserFactory(organisation=organisation))
    outsider = UserFactory(organisation=organisation)
    with pytest.raises(PermissionDenied, match="^You cannot change who is on this case$"):
        policy.permit(outsider, "case.manage_members", case, doing="change who is on this case")


def test_the_owner_is_let_through_and_so_is_a_trusted_operator(organisation):
    owner = UserFactory(organisation=organisation)
    case = CaseFactory(owner=owner)
    policy.permit(owner, "case.manage_members", case)
    policy.permit(None, "case.manage_members", case)
