"""Deconfliction matching: is this person already known to anyone?

Two stages, so a search stays fast with millions of profiles:
1. narrow candidates in SQL with indexed equality lookups only: search keys, the exact
   date of birth and the exact normalised postcode of any address, past or present.
   Each name part a person is known by gives two tokens, a phonetic code and a
   three-letter prefix; the keys are those tokens alone and every pair of tokens from two
   different parts, in sorted order. A search giving two or more name parts looks up the
   pairs only: "Oliver" alone is shared by a hundred thousand people in a million, but
   "Oliver" with "Smith" (or "Smtih", or typed the other way round) by a handful, so the
   lookup stays small at national scale. Tokens fewer than RARE_TOKEN_LIMIT people share
   are looked up alone too, so a rare name still finds its person when the other name was
   typed beyond recognition. A search giving one name part uses the tokens;
2. score that short list in Python with rapidfuzz, comparing name parts in any order so
   transposed given and family names still match, and counting agreement on date of
   birth and postcode.

Nothing here knows about access: the caller splits the matches into those the user may
see and those held elsewhere (see services.do_search_people).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations, permutations

from django.db import connection
from django.db.models import Count
from rapidfuzz import fuzz

# Candidates fetched per stage-1 lookup; the most key hits first. Generous enough that a
# true match is never crowded out by the common-name crowd sharing one phonetic code.
CANDIDATE_LIMIT = 500
# Up to this many typed name parts are also compared in every order (4 parts: 24 orders).
MAX_ORDERED_PARTS = 4
# A name token shared by fewer people than this is looked up alone as well as in pairs.
RARE_TOKEN_LIMIT = 2000
MATCH_THRESHOLD = 80

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters and spaces dropped."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def name_parts(*names: str) -> list[str]:
    return [part for name in names for part in fold(name).split()]


def soundex(part: str) -> str:
    """American Soundex: names that sound alike share a code (Smith, Smyth → s530)."""
    if not part:
        return ""
    first, digits, previous = part[0], [], _SOUNDEX_CODES.get(part[0], "")
    for ch in part[1:]:
        code = _SOUNDEX_CODES.get(ch, "")
        if code and code != previous:
            digits.append(code)
        if ch not in "hw":  # h and w do not separate letters with the same code
            previous = code
    return (first + "".join(digits) + "000")[:4]


def _tokens(part: str) -> tuple[str, str]:
    return f"s:{soundex(part)}", f"p:{part[:3]}"


def keys_for_parts(parts: list[str]) -> set[str]:
    """Every key a person with these name parts is stored under (see the module's doc)."""
    # An initial alone would match half the country.
    tokens = [_tokens(part) for part in sorted({part for part in parts if len(part) >= 2})]
    keys = {token for pair in tokens for token in pair}
    for first, second in combinations(tokens, 2):
        keys.update("|".join(sorted((a, b))) for a in first for b in second)
    return keys


def lookup_keys(parts: list[str]) -> set[str]:
    """The keys a search looks up: the pairs when it gives two name parts or more."""
    keys = keys_for_parts(parts)
    return {key for key in keys if "|" in key} or keys


def rare_tokens(tokens: set[str]) -> set[str]:
    """Those of ``tokens`` that fewer than RARE_TOKEN_LIMIT people share, counted with a
    bounded scan of the key index each (one query): a rare name alone is worth looking up
    too, so a search still finds "Okonkwo" when the other name was typed beyond recognition."""
    from roundtable.people.models import SearchKey

    if not tokens:
        return set()
    table, key = connection.ops.quote_name(SearchKey._meta.db_table), connection.ops.quote_name("key")
    bounded = f"SELECT 1 FROM {table} WHERE {key} = %s LIMIT {RARE_TOKEN_LIMIT}"  # noqa: S608 (names from the model)
    ordered = sorted(tokens)
    counts = " UNION ALL ".join(f"SELECT %s, (SELECT COUNT(*) FROM ({bounded}) bounded)" for _ in ordered)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(counts, [value for token in ordered for value in (token, token)])
        return {token for token, count in cursor.fetchall() if count < RARE_TOKEN_LIMIT}


def normalise_postcode(postcode: str) -> str:
    """'ns1 4ab' → 'NS1 4AB' (the form stored on addresses)."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def is_postcode(postcode: str) -> bool:
    return bool(_POSTCODE.match(re.sub(r"\s+", "", postcode or "").upper()))


@dataclass
class Criteria:
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    postcode: str = ""

    def as_audit(self) -> dict:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "postcode": self.postcode,
        }

    @property
    def parts(self) -> list[str]:
        return name_parts(self.given_name, self.family_name)


@dataclass
class Match:
    person_id: int
    score: int
    reasons: list[str] = field(default_factory=list)


def candidate_ids(criteria: Criteria) -> set[int]:
    """Stage 1: a bounded set of person ids worth scoring, from indexed lookups only."""
    from roundtable.people.models import Address, Person, SearchKey

    ids: set[int] = set()
    keys = lookup_keys(criteria.parts)
    if any("|" in key for key in keys):
        keys |= rare_tokens(keys_for_parts(criteria.parts) - keys)
    if keys:
        hits = (
            SearchKey.objects.filter(key__in=keys)
            .values("person_id")
            .annotate(hits=Count("*"))  # COUNT(*): the (key, person) index alone answers it
            .order_by("-hits", "person_id")[:CANDIDATE_LIMIT]
        )
        ids.update(row["person_id"] for row in hits)
    if criteria.date_of_birth:
        ids.update(
            Person.objects.filter(date_of_birth=criteria.date_of_birth).values_list("pk", flat=True)[:CANDIDATE_LIMIT]
        )
    if criteria.postcode:
        ids.update(
            Address.objects.filter(postcode=normalise_postcode(criteria.postcode)).values_list("person_id", flat=True)[
                :CANDIDATE_LIMIT
            ]
        )
    return ids


def _name_score(query_parts: list[str], known_names: list[list[str]]) -> int:
    if not query_parts:
        return 0
    query = " ".join(query_parts)
    best = 0
    for parts in known_names:
        if not parts:
            continue
        # token_sort_ratio ignores order: "Okonkwo Amara" scores like "Amara Okonkwo".
        score = fuzz.token_sort_ratio(query, " ".join(parts))
        if len(query_parts) <= MAX_ORDERED_PARTS:
            # Sorting fails when a typo moves a name's first letter ("Xomasz Wrenfield" sorts
            # the other way from "Tomasz Wrenfield"): try the typed names in every order too.
            known = " ".join(parts)
            score = max(score, *(fuzz.ratio(" ".join(order), known) for order in permutations(query_parts)))
        if len(query_parts) == 1:
            # Only one name given: compare it with each part on its own.
            score = max(score, *(fuzz.ratio(query, part) for part in parts))
        best = max(best, int(score))
    return best


def score_candidates(criteria: Criteria, ids: set[int]) -> list[Match]:
    """Stage 2: fuzzy-score the candidates; those at or above the threshold are matches.

    Reads plain values, not model instances: a common name pair brings a few hundred
    candidates, and building objects for them cost more than the scoring."""
    from roundtable.people.models import Address, Person, PersonName

    if not ids:
        return []
    people = Person.objects.filter(pk__in=ids, merged_into__isnull=True).values_list(
        "pk", "given_name", "family_name", "date_of_birth"
    )
    known: dict[int, list[list[str]]] = {}
    born: dict[int, date | None] = {}
    for pk, given, family, date_of_birth in people:
        known[pk] = [name_parts(given, family)]
        born[pk] = date_of_birth
    if not known:
        return []
    for pk, given, family in PersonName.objects.filter(person_id__in=known).values_list(
        "person_id", "given_name", "family_name"
    ):
        known[pk].append(name_parts(given, family))
    postcode = normalise_postcode(criteria.postcode) if criteria.postcode else ""
    at_postcode = set()
    if postcode:
        at_postcode = set(
            Address.objects.filter(person_id__in=known, postcode=postcode).values_list("person_id", flat=True)
        )
    query_parts = criteria.parts
    matches = []
    for pk, names in known.items():
        score = _name_score(query_parts, names)
        reasons = ["name"] if score >= MATCH_THRESHOLD else []
        if criteria.date_of_birth and born[pk]:
            if born[pk] == criteria.date_of_birth:
                score += 15
                reasons.append("date of birth")
            else:
                score -= 10
        if pk in at_postcode:
            score += 10
            reasons.append("postcode")
        if score >= MATCH_THRESHOLD:
            matches.append(Match(pk, score, reasons))
    matches.sort(key=lambda match: (-match.score, match.person_id))
    return matches


def find_matches(criteria: Criteria) -> list[Match]:
    return score_candidates(criteria, candidate_ids(criteria))
