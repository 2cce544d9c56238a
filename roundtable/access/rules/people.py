"""Person profiles are visible through a visible case (or to whoever created them)."""

from django.db.models import Exists, OuterRef, Q

from roundtable.access.policy import rule, scope


def _has_visible_case(user):
    from roundtable.cases.models import CaseMembership

    return Exists(CaseMembership.objects.filter(case__person=OuterRef("pk"), user_id=user.pk))


@scope("people.person")
def people(user, qs):
    return qs.filter(Q(_has_visible_case(user)) | Q(created_by_id=user.pk, cases__isnull=True)).distinct()


@rule("person.create")
def create_person(user, obj):
    from roundtable.accounts.models import Role

    # Case content is for practitioners and panel staff, not system administrators or auditors.
    return user.role in (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)


@rule("person.search")
def search_people(user, obj):
    return create_person(user, obj)
