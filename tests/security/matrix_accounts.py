"""Accounts, sign-in, audit, API tokens and the API base."""

from roundtable.accounts.models import Role
from roundtable.accounts.services import do_invite_user
from roundtable.api.services import do_create_token
from tests.factories import UserFactory
from tests.security.rows import EVERYONE, SIGNED_IN, Row, roles


def build(world):
    organisation = world["organisation"]
    world["target"] = UserFactory(organisation=organisation, role=Role.PRACTITIONER)
    _, world["invitation_token"] = do_invite_user(
        world["system_admin"], email="new.starter@example.test", full_name="New Starter", organisation=organisation,
        role=Role.PRACTITIONER,
    )  # fmt: skip
    world["practitioner_token"], _ = do_create_token(world["practitioner"], name="script", days=30)


def target_user(world):
    return {"pk": world["target"].pk}


def own_org(world):
    return {"pk": world["organisation"].pk}


ROWS: dict[str, Row] = {
    # --- core --------------------------------------------------------------------------
    "core:home": Row(SIGNED_IN),
    "core:healthz": Row(EVERYONE),
    # --- sign-in (public pages; signed-in users are sent home) -------------------------------
    "accounts:sign_in": Row(roles("anonymous"), denied=302),
    "accounts:sign_in_code": Row(frozenset(), denied=302, anonymous=302),
    "accounts:sign_out": Row(EVERYONE, method="POST", ok=302),
    "accounts:accept_invitation": Row(EVERYONE, kwargs=lambda world: {"token": world["invitation_token"]}),
    "accounts:account": Row(SIGNED_IN),
    "accounts:sign_out_everywhere": Row(SIGNED_IN, method="POST", ok=302),
    # --- user management: system admins anywhere, organisation admins at home -------------
    "accounts:user_list": Row(roles("system_admin", "org_admin", "other_org_admin")),
    "accounts:invite_user": Row(roles("system_admin", "org_admin", "other_org_admin")),
    "accounts:user_detail": Row(roles("system_admin", "org_admin"), kwargs=target_user),
    "accounts:change_role": Row(
        roles("system_admin", "org_admin"),
        method="POST",
        ok=302,
        kwargs=target_user,
        data=lambda w: {"role": "auditor"},
    ),
    "accounts:deactivate_user": Row(
        roles("system_admin", "org_admin"), method="POST", ok=302, kwargs=target_user, data=lambda w: {"reason": "Left"}
    ),
    "accounts:reactivate_user": Row(roles("system_admin", "org_admin"), method="POST", ok=302, kwargs=target_user),
    "accounts:resend_invitation": Row(roles("system_admin", "org_admin"), method="POST", ok=302, kwargs=target_user),
    "accounts:organisation_list": Row(roles("system_admin")),
    "accounts:organisation_detail": Row(roles("system_admin", "org_admin"), kwargs=own_org),
    # --- audit: auditors only ------------------------------------------------------------------
    "audit:event_list": Row(roles("auditor")),
    "audit:event_export": Row(roles("auditor")),
    # --- API tokens (each user's own) -------------------------------------------------------
    "api_tokens:list": Row(SIGNED_IN),
    "api_tokens:revoke": Row(
        roles("practitioner"), method="POST", ok=302, kwargs=lambda world: {"pk": world["practitioner_token"].pk}
    ),
    # --- API ----------------------------------------------------------------------------------------
    # ninja's bare prefix: nothing lives there.
    "api:api-root": Row(EVERYONE, api=True, ok=404),
    "api:openapi-json": Row(EVERYONE, api=True),
    "api:openapi-view": Row(EVERYONE, api=True),
    "api:me": Row(SIGNED_IN, api=True, anonymous=401),
}
