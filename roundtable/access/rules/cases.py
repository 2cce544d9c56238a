"""Cases: need to know. A user sees a case because they are a member of it."""

from roundtable.access.policy import rule, scope


def membership(user, case):
    from roundtable.cases.models import CaseMembership

    return CaseMembership.objects.filter(case=case, user_id=user.pk).values_list("role", flat=True).first()


@scope("cases.case")
def cases(user, qs):
    return qs.filter(memberships__user_id=user.pk)


@scope("cases.casemembership")
def memberships(user, qs):
    return qs.filter(case__memberships__user_id=user.pk)


@rule("case.create")
def create_case(user, obj):
    from roundtable.access.rules.people import create_person

    return create_person(user, obj)


@rule("case.contribute")
def contribute(user, case):
    return membership(user, case) in ("owner", "contributor")


@rule("case.manage_members")
def manage_members(user, case):
    return membership(user, case) == "owner"


@rule("case.list")
def list_cases(user, obj):
    return create_case(user, obj)
