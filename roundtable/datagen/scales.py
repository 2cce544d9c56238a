"""How much of everything each scale makes. ``national`` is the target of issue 7;
``county`` is about a tenth of it, ``small`` a hundredth, ``tiny`` is for the test suite."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    areas: int
    organisations: int
    users: int
    people: int
    cases: int
    entries: int
    tasks: int
    inforequests: int
    audit_events: int
    huge_case_entries: int
    # Months of panel meetings (one a month per panel) before today.
    meeting_months: int = 24


SCALES = {
    "tiny": Scale("tiny", 2, 20, 60, 300, 300, 3_000, 600, 60, 300, huge_case_entries=400, meeting_months=3),
    "small": Scale("small", 2, 20, 200, 10_000, 10_000, 100_000, 20_000, 2_000, 10_000, huge_case_entries=20_000),
    "county": Scale(
        "county", 4, 40, 2_000, 100_000, 100_000, 1_000_000, 200_000, 20_000, 100_000, huge_case_entries=20_000
    ),
    "national": Scale(
        "national",
        40,
        400,
        20_000,
        1_000_000,
        1_000_000,
        10_000_000,
        2_000_000,
        200_000,
        1_000_000,
        huge_case_entries=20_000,
    ),
}
