"""Permission matrix rows for the cases app (see matrix.py).

The practitioner owns the case and wrote its entry; everyone else (including users of
our own organisation who are not members, and another organisation's users guessing
IDs) gets a 404."""

from django.utils import timezone

from roundtable.cases.models import CaseMembership
from tests.factories import CaseFactory, EntryFactory, UserFactory
from tests.security.rows import Row, roles

CASE_WORKERS = roles(
    "org_admin", "panel_chair", "panel_admin", "practitioner", "other_org_admin", "other_org_practitioner"
)
MEMBER = roles("practitioner")


def build(world):
    """Add the objects these rows need to the shared test world."""
    practitioner = world["practitioner"]
    case = CaseFactory(owner=practitioner)
    colleague = UserFactory(organisation=world["organisation"])
    world["case"] = case
    world["case_membership"] = CaseMembership.objects.create(case=case, user=colleague, role="contributor")
    world["case_entry"] = EntryFactory(case=case, author=practitioner)
    world["case_newcomer"] = UserFactory(organisation=world["organisation"])


def on_case(world):
    return {"pk": world["case"].pk}


def on_entry(world):
    return {"pk": world["case"].pk, "entry_pk": world["case_entry"].pk}


def on_membership(world):
    return {"pk": world["case"].pk, "membership_pk": world["case_membership"].pk}


def api_case(world):
    return {"case_id": world["case"].pk}


def api_entry(world):
    return {"case_id": world["case"].pk, "entry_id": world["case_entry"].pk}


def api_member(world):
    return {"case_id": world["case"].pk, "member_id": world["case_membership"].pk}


def page(kwargs, **options):
    return Row(MEMBER, kwargs=kwargs, **options)


def api(kwargs, **options):
    return Row(options.pop("allowed", MEMBER), kwargs=kwargs, api=True, anonymous=401, **options)


def _now(world):
    return timezone.now().isoformat()


ROWS: dict[str, Row] = {
    # --- pages ------------------------------------------------------------------------------
    "cases:list": Row(CASE_WORKERS),
    "cases:create": Row(CASE_WORKERS),
    "cases:detail": page(on_case),
    "cases:chronology": page(on_case),
    "cases:entry_create": page(on_case),
    "cases:entry_detail": page(on_entry),
    "cases:entry_fragment": page(on_entry),
    "cases:entry_amend": page(on_entry),
    "cases:entry_retract": page(on_entry),
    "cases:entry_restrict": page(on_entry),
    "cases:members": page(on_case),
    "cases:edit": page(on_case),
    "cases:member_role": page(on_membership, method="POST", ok=302, data=lambda w: {"role": "viewer"}),
    "cases:member_remove": page(on_membership, method="POST", ok=302),
    "cases:history": page(on_case),
    # --- API ----------------------------------------------------------------------------------
    "api:case_list": api(lambda w: {}, allowed=CASE_WORKERS, denied=403),
    "api:case_create": api(
        lambda w: {},
        allowed=CASE_WORKERS,
        denied=403,
        method="POST",
        ok=201,
        data=lambda w: {"kind": "meeting", "title": "Panel meeting"},
    ),  # fmt: skip
    "api:case_detail": api(api_case),
    "api:member_list": api(api_case),
    "api:member_add": api(
        api_case, method="POST", ok=201, data=lambda w: {"email": w["case_newcomer"].email, "role": "viewer"}
    ),
    "api:member_role": api(api_member, method="POST", data=lambda w: {"role": "viewer"}),
    "api:member_remove": api(api_member, method="POST", ok=204),
    "api:entry_list": api(api_case),
    "api:entry_detail": api(api_entry),
    "api:entry_revisions": api(api_entry),
    "api:entry_create": api(
        api_case,
        method="POST",
        ok=201,
        data=lambda w: {"kind": "note", "summary": "Spoke to mum", "occurred_at": _now(w)},
    ),  # fmt: skip
    "api:entry_amend": api(
        api_entry,
        method="POST",
        data=lambda w: {"version": 1, "summary": "Spoke to dad", "occurred_at": _now(w)},
    ),  # fmt: skip
    "api:entry_retract": api(api_entry, method="POST", data=lambda w: {"reason": "Wrong case"}),
    "api:entry_restrict": api(
        api_entry, method="POST", data=lambda w: {"restricted": "true", "restricted_to": [w["case_membership"].user_id]}
    ),
}
