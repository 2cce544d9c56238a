"""People: a compact in-memory sketch of everyone (area, name indexes, date of birth,
how many cases they have), then the profile rows streamed from it.

The sketch is a handful of typed arrays (about 20 bytes a person), because cases,
referrals and audit events need the person's area, name and age later. The number of
cases a person has is skewed: about a fifth are known only as relatives or
enquiries (no case), most have one, a few have many — and the total is exactly the
scale's number of cases.
"""

import random
from array import array
from datetime import date, datetime, timedelta

from roundtable.datagen import vocab
from roundtable.datagen.world import World, pick, zipf_cumulative
from roundtable.datagen.writers import Stream
from roundtable.people.matching import keys_for_parts, name_parts
from roundtable.people.models import Address, Person, PersonName, SafeguardingFlag, SearchKey, Sex

HISTORY_DAYS = 6 * 365  # the oldest records are six years old
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def cases_for(rng) -> int:
    r = rng.random()
    if r < 0.20:
        return 0
    if r < 0.86:
        return 1
    if r < 0.955:
        return 2
    if r < 0.985:
        return rng.randint(3, 4)
    if r < 0.9995:
        return rng.randint(5, 12)
    return rng.randint(20, 60)


class Population:
    def __init__(self, world: World, seed: int, today: date):
        self.world, self.today = world, today
        scale = world.scale
        rng = random.Random(f"{seed}:people-sketch")
        n = scale.people
        self.area = array("H", bytes(2 * (n + 1)))
        self.sex = array("B", bytes(n + 1))
        self.given = array("H", bytes(2 * (n + 1)))
        self.middle = array("H", bytes(2 * (n + 1)))
        self.family = array("H", bytes(2 * (n + 1)))
        self.dob = array("I", bytes(4 * (n + 1)))  # proleptic ordinal, 0 when not known
        self.created = array("I", bytes(4 * (n + 1)))  # days after the start of history
        self.cases = array("H", bytes(2 * (n + 1)))
        area_ids = [a.id for a in world.areas]
        weights = [rng.uniform(0.5, 2.0) for _ in area_ids]
        area_cum = [sum(weights[: i + 1]) for i in range(len(weights))]
        today_ordinal = today.toordinal()
        total = 0
        self.search_candidates = []
        for pid in range(1, n + 1):
            self.area[pid] = pick(rng, area_ids, area_cum)
            sex, given, middle, family = World.name_indexes(rng)
            self.sex[pid], self.given[pid], self.middle[pid], self.family[pid] = sex, given, middle, family
            age = rng.randint(0, 17) if rng.random() < 0.45 else int(18 + rng.expovariate(1 / 17)) % 90
            if rng.random() > 0.04:
                self.dob[pid] = today_ordinal - age * 365 - rng.randint(0, 364)
            created = int(HISTORY_DAYS * rng.random() ** 0.5)
            if self.dob[pid]:
                # Nobody is on record before they were born.
                created = min(HISTORY_DAYS, max(created, self.dob[pid] - (today_ordinal - HISTORY_DAYS)))
            self.created[pid] = created
            count = cases_for(rng)
            self.cases[pid] = count
            total += count
            if (
                pid > n // 3
                and len(self.search_candidates) < 20
                and self.area[pid] == area_ids[0]
                and self.dob[pid]
                and given > 60
                and family > 150
                and not middle
                and " " not in vocab.FAMILY[family]
                and len(vocab.FAMILY[family]) >= 6
            ):
                self.search_candidates.append(pid)
        # Make the total exactly the scale's number of cases: nudge people at 0 or 1.
        while total != scale.cases:
            pid = rng.randint(1, n)
            if total < scale.cases and self.cases[pid] <= 1:
                self.cases[pid] += 1
                total += 1
            elif total > scale.cases and self.cases[pid] == 1:
                self.cases[pid] = 0
                total -= 1
        # The person each case is about: case ids run in person order.
        self.case_person = array("I", [0])
        for pid in range(1, n + 1):
            self.case_person.extend([pid] * self.cases[pid])

    # --- one person's facts ----------------------------------------------------------------
    def given_name(self, pid: int) -> str:
        return World.given_name(self.sex[pid], self.given[pid], self.middle[pid])

    def family_name(self, pid: int) -> str:
        return vocab.FAMILY[self.family[pid]]

    def full_name(self, pid: int) -> str:
        return f"{self.given_name(pid)} {self.family_name(pid)}"

    def date_of_birth(self, pid: int) -> date | None:
        return date.fromordinal(self.dob[pid]) if self.dob[pid] else None

    def age_on(self, pid: int, day: date) -> int | None:
        born = self.dob[pid]
        return (day.toordinal() - born) // 365 if born else None

    def created_at(self, pid: int, start: datetime) -> datetime:
        return start + timedelta(days=self.created[pid])

    # --- rows ---------------------------------------------------------------------------------
    def write(self, writer, seed: int, now: datetime) -> None:
        world, rng = self.world, random.Random(f"{seed}:people-rows")
        start = now - timedelta(days=HISTORY_DAYS)
        areas = {a.id: a for a in world.areas}
        people = Stream(
            Person,
            ("id", "given_name", "family_name", "date_of_birth", "approximate_age", "sex", "ethnicity", "languages",
             "nationality", "school_or_employer", "phone", "area_id", "created_by_id", "created_at", "updated_at"),
        )  # fmt: skip
        addresses = Stream(Address, ("id", "person_id", "line1", "town", "postcode", "moved_in", "moved_out"))
        names = Stream(PersonName, ("id", "person_id", "kind", "given_name", "family_name"))
        keys = Stream(SearchKey, ("id", "person_id", "key"))
        flags = Stream(SafeguardingFlag, ("id", "person_id", "kind", "started", "recorded_by_id", "recorded_at"))
        sexes = (Sex.FEMALE, Sex.MALE)
        ethnic_cum, language_cum = zipf_cumulative(len(vocab.ETHNICITIES)), zipf_cumulative(len(vocab.LANGUAGES))
        key_memo: dict = {}
        address_id = name_id = key_id = flag_id = 0
        for pid in range(1, world.scale.people + 1):
            area = areas[self.area[pid]]
            given, family = self.given_name(pid), self.family_name(pid)
            born = self.date_of_birth(pid)
            created = self.created_at(pid, start)
            age = self.age_on(pid, self.today)
            child = age is not None and age < 18
            school = world.org_name[rng.choice(area.schools)] if child else ""
            writer.add(
                people,
                (pid, given, family, born, None if born else rng.randint(12, 60), sexes[self.sex[pid]],
                 pick(rng, vocab.ETHNICITIES, ethnic_cum), pick(rng, vocab.LANGUAGES, language_cum),
                 "British" if rng.random() < 0.85 else "", school,
                 f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.6 else "",
                 area.id, world.worker(rng, area), created, created),
            )  # fmt: skip
            # Addresses: a current one, and for a quarter a previous one (searched too).
            moves = 2 if rng.random() < 0.25 else 1
            moved_in = (born or created.date() - timedelta(days=9000)) + timedelta(days=rng.randint(0, 3000))
            for move in range(moves):
                address_id += 1
                moved_out = None
                if move + 1 < moves:
                    moved_out = moved_in + timedelta(days=rng.randint(200, 2000))
                postcode = (
                    f"{area.postcode_letters}{rng.randint(1, 29)} {rng.randint(1, 9)}"
                    f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
                )
                line1 = f"{rng.randint(1, 180)} {rng.choice(vocab.STREET_NAMES)} {rng.choice(vocab.STREET_KINDS)}"
                writer.add(addresses, (address_id, pid, line1, rng.choice(area.towns), postcode, moved_in, moved_out))
                if moved_out:
                    moved_in = moved_out
            parts = [given, family]
            if rng.random() < 0.03:
                # Another spelling or a previous family name, searched like the main name.
                name_id += 1
                other_given, other_family = world.person_name(rng)
                kind = PersonName.Kind.PREVIOUS if rng.random() < 0.5 else PersonName.Kind.ALIAS
                other = (given, other_family) if kind == PersonName.Kind.PREVIOUS else (other_given, "")
                writer.add(names, (name_id, pid, kind, *other))
                parts += list(other)
                person_keys = sorted(keys_for_parts(name_parts(*parts)))
            else:
                person_keys = key_memo.get((given, family))
                if person_keys is None:
                    person_keys = key_memo[(given, family)] = sorted(keys_for_parts(name_parts(given, family)))
            for key in person_keys:
                key_id += 1
                writer.add(keys, (key_id, pid, key))
            if child and rng.random() < 0.08:
                flag_id += 1
                kind = rng.choice(("cpp", "cin", "lac", "ehcp"))
                writer.add(flags, (flag_id, pid, kind, created.date(), world.worker(rng, area), created))
