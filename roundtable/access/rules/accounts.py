"""Rules and scopes for organisations, users, the audit log and API tokens."""

from roundtable.access.policy import has_role, rule, scope
from roundtable.accounts.models import Role

SYS, ORG_ADMIN, AUDITOR = Role.SYSTEM_ADMIN, Role.ORG_ADMIN, Role.AUDITOR


# --- Organisations ----------------------------------------------------------------
@scope("accounts.organisation")
def organisations(user, qs):
    if has_role(user, SYS):
        return qs
    return qs.filter(pk=user.organisation_id)


@rule("organisation.list")
def list_organisations(user, obj):
    return has_role(user, SYS)


@rule("organisation.create")
def create_organisation(user, obj):
    return has_role(user, SYS)


@rule("organisation.manage")
def manage_organisation(user, organisation):
    # Seeing an organisation's admin pages: system admins anywhere, org admins at home.
    return has_role(user, SYS) or (has_role(user, ORG_ADMIN) and organisation.pk == user.organisation_id)


# --- Users --------------------------------------------------------------------------
@scope("accounts.user")
def users(user, qs):
    """Whom a user may see in the user-management pages (case membership widens this later)."""
    if has_role(user, SYS):
        return qs
    if has_role(user, ORG_ADMIN):
        return qs.filter(organisation_id=user.organisation_id)
    return qs.filter(pk=user.pk)


@scope("accounts.invitation")
def invitations(user, qs):
    if has_role(user, SYS):
        return qs
    if has_role(user, ORG_ADMIN):
        return qs.filter(organisation_id=user.organisation_id)
    return qs.none()


@rule("user.list")
def list_users(user, obj):
    return has_role(user, SYS, ORG_ADMIN)


@rule("user.invite")
def invite_user(user, organisation):
    """``organisation`` is where the new user would belong (None: may invite somewhere)."""
    if has_role(user, SYS):
        return True
    return has_role(user, ORG_ADMIN) and (organisation is None or organisation.pk == user.organisation_id)


@rule("user.manage")
def manage_user(user, target):
    if has_role(user, SYS):
        return True
    return (
        has_role(user, ORG_ADMIN)
        and target.organisation_id == user.organisation_id
        and target.role != Role.SYSTEM_ADMIN
    )


def assignable_roles(user) -> list[tuple[str, str]]:
    """Organisation admins cannot make system administrators."""
    if has_role(user, SYS):
        return list(Role.choices)
    return [choice for choice in Role.choices if choice[0] != Role.SYSTEM_ADMIN]


# --- Audit log --------------------------------------------------------------------------
@rule("audit.view")
def view_audit(user, obj):
    return has_role(user, AUDITOR)


@scope("audit.auditevent")
def audit_events(user, qs):
    """Auditors see events of their own area's organisations, and anonymous events (failed sign-ins)."""
    if not has_role(user, AUDITOR):
        return qs.none()
    from django.db.models import Q

    from roundtable.accounts.models import Organisation

    area_orgs = Organisation.objects.filter(area_id=user.organisation.area_id).values("pk")
    return qs.filter(Q(organisation_id__in=area_orgs) | Q(organisation_id__isnull=True))


# --- API tokens ----------------------------------------------------------------------------
@scope("api.apitoken")
def api_tokens(user, qs):
    return qs.filter(user_id=user.pk)
