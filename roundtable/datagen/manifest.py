"""The manifest: which generated users, cases, meeting and search the page benchmark uses.

Every promise in it is checked here through the access policy itself (the same
``policy.visible`` the pages use), and the search entry through the deconfliction
matcher, so a benchmark never measures a 404. Key names are a contract with bench/.
"""

from django.conf import settings
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.access import policy
from roundtable.accounts.models import User
from roundtable.cases.models import Case
from roundtable.meetings.models import Meeting
from roundtable.people.matching import Criteria, find_matches


class ManifestError(Exception):
    pass


def misspell(name: str) -> str:
    """Swap two letters after the first three ("Kazlauskas" → "Kazluaskas"): a typing slip
    that keeps the name's three-letter prefix, as users' typos mostly do."""
    for i in range(3, len(name) - 1):
        if name[i] != name[i + 1] and name[i].isalpha() and name[i + 1].isalpha():
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name + "e"


def search_entries(population, limit: int = 3) -> list[dict]:
    """Misspelt family name typed as the given name and the given name typed as the family
    name, for people the matcher must still find."""
    entries = []
    for pid in population.search_candidates:
        given, family = population.given_name(pid), population.family_name(pid)
        typed = misspell(family)
        matches = find_matches(Criteria(given_name=typed, family_name=given))
        if any(match.person_id == pid for match in matches):
            entries.append(
                {
                    "query": f"{typed} {given}",
                    "params": {"given_name": typed, "family_name": given},
                    "expect_person": pid,
                    "person_name": f"{given} {family}",
                }
            )
        if len(entries) >= limit:
            break
    return entries


def build_manifest(world, population, cases, bench, scale, seed, today, password) -> dict:
    area = world.areas[0]
    emails = {
        "practitioner": world.user_email[area.roles["bench_practitioner"]],
        "chair": world.user_email[area.roles["channel_chair"]],
        "prevent_officer": world.user_email[area.roles["prevent_1"]],
        "admin": world.user_email[area.roles["admin"]],
    }
    users = {name: User.objects.get(email=email) for name, email in emails.items()}
    for user in users.values():
        TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "Scale data", "key": world.totp_key(user.email)}
        )
    others = {cid: n for cid, n in cases.bench_entry_counts.items() if cid != cases.huge_case}
    # The same kind of case at every scale, so the page asks the same questions and scales
    # compare like with like (a Channel case's page asks two more than a referral's).
    referrals = set(Case.objects.filter(pk__in=others, kind=Case.Kind.REFERRAL).values_list("pk", flat=True))
    others = {cid: n for cid, n in others.items() if cid in referrals} or others
    typical = min(others, key=lambda cid: (abs(others[cid] - cases.mean_entries), cid))
    manifest = {
        "scale": scale.name,
        "seed": seed,
        "today": today.isoformat(),
        "database": str(settings.DATABASES["default"]["NAME"]),
        "vendor": connection.vendor,
        "password": password,
        "totp_keys": {name: world.totp_key(email) for name, email in emails.items()},
        "users": emails,
        "cases": {"huge": cases.huge_case, "typical": typical},
        "meeting": bench["meeting"],
        "panel": bench["panel"],
        "inforequest_case": cases.grid_case,
        "search": search_entries(population),
        "practitioner_cases": len(cases.bench_cases),
        "largest_case": {"pk": cases.entries_per_case_max[1], "entries": cases.entries_per_case_max[0]},
    }
    _check(manifest, users)
    return manifest


def _sees(user, model, pk) -> bool:
    return policy.visible(user, model.objects.filter(pk=pk)).exists()


def _check(manifest, users) -> None:
    promises = [
        ("practitioner", Case, manifest["cases"]["huge"]),
        ("practitioner", Case, manifest["cases"]["typical"]),
        ("chair", Case, manifest["inforequest_case"]),
        ("prevent_officer", Case, manifest["inforequest_case"]),
        ("chair", Meeting, manifest["meeting"]),
    ]
    broken = [
        f"{who} cannot see {model.__name__} {pk}" for who, model, pk in promises if not _sees(users[who], model, pk)
    ]
    if not manifest["search"]:
        broken.append("no generated person is found by a misspelt, transposed search")
    if broken:
        raise ManifestError("The manifest promises what the access policy refuses: " + "; ".join(broken))
