"""Building blocks of the permission matrix (see matrix.py)."""

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
