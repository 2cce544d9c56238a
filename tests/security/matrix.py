"""The permission matrix: for every URL pattern and API route, what each role gets.

A route missing here fails ``test_every_route_is_in_the_matrix``. Rows name who is
allowed; everyone else signed in gets ``denied`` (404 for anything that could reveal
that an object exists). Anonymous visitors are sent to sign in (pages) or get 401 (API).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "system_admin",
    "org_admin",
    "panel_chair",
    "panel_admin",
    "practitioner",
    "auditor",
    "other_org_admin",
    "other_org_practitioner",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Row:
    allowed: frozenset
    method: str = "GET"
    ok: int = 200
    denied: int = 404
    anonymous: int = 302
    kwargs: Callable[[dict], dict] = field(default=lambda world: {})
    data: Callable[[dict], dict] = field(default=lambda world: {})
    api: bool = False

    def expected(self, role: str) -> int:
        if role in self.allowed:
            return self.ok
        if role == "anonymous":
            return self.anonymous
        return self.denied


def roles(*names: str) -> frozenset:
    unknown = set(names) - set(ROLES)
    assert not unknown, unknown
    return frozenset(names)


def target_user(world):
    return {"pk": world["target"].pk}


def own_org(world):
    return {"pk": world["organisation"].pk}


MATRIX: dict[str, Row] = {
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
