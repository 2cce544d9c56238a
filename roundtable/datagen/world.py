"""The fixed cast: areas, organisations, users and panels, held in memory (at most a few
tens of thousands of rows) because every later stream picks owners, members and
recipients from them. Written to the database by ``write``.

Each area has the same shape of organisations (a police force, a county and a borough
council, a health trust, probation, youth justice, housing, a voluntary group and
schools), so every area has someone for each role the access rules know: a Channel
panel chair, panel administrators, a police Prevent lead and team, local-authority
Prevent leads, practitioners in every sector.
"""

import bisect
import hashlib
import itertools
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from roundtable.accounts.models import Area, Organisation, Role, Sector, User
from roundtable.cases.services import reference_prefix
from roundtable.datagen import vocab
from roundtable.datagen.writers import Stream
from roundtable.panels.models import Panel

# (sector, name pattern, share of the area's users, minimum users)
ORGANISATION_SHAPE = [
    (Sector.POLICE, "{area} Police", 0.20, 6),
    (Sector.LOCAL_AUTHORITY, "{area} County Council", 0.20, 12),
    (Sector.LOCAL_AUTHORITY, "{town} Borough Council", 0.07, 2),
    (Sector.HEALTH, "{area} Health and Care NHS Trust", 0.12, 2),
    (Sector.PROBATION, "{area} Probation Service", 0.08, 2),
    (Sector.YOUTH_JUSTICE, "{area} Youth Justice Service", 0.06, 2),
    (Sector.HOUSING, "{town} Homes", 0.06, 2),
    (Sector.VOLUNTARY, "{town} Youth and Family Trust", 0.06, 2),
]
SCHOOL_PATTERNS = ("{town} Academy", "{town} High School", "St {saint}'s Primary School", "{town} College")
SAINTS = [
    "Mary",
    "Joseph",
    "Anne",
    "Peter",
    "Paul",
    "John",
    "Andrew",
    "David",
    "Patrick",
    "Margaret",
    "Chad",
    "Aidan",
    "Hilda",
    "Bede",
]

# Fixed places in the county council's and police force's staff lists (index → role).
COUNCIL = {"channel_chair": 0, "behaviour_chair": 1, "other_chair": 2, "admin": 3, "admin2": 4}
COUNCIL.update({"adults_lead": 5, "children_lead": 6, "org_admin": 7, "system_admin": 8, "bench_practitioner": 9})
POLICE = {"police_lead": 0, "prevent_1": 1, "prevent_2": 2, "prevent_3": 3, "police_org_admin": 4}


def zipf_cumulative(n: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


def pick(rng, items, cumulative):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum())).lower()


@dataclass
class AreaInfo:
    id: int
    name: str
    prefix: str
    towns: list
    postcode_letters: str
    organisations: list = field(default_factory=list)  # organisation ids
    council: int = 0
    police: int = 0
    schools: list = field(default_factory=list)
    workers: list = field(default_factory=list)  # user ids who do case work (weighted)
    worker_cumulative: list = field(default_factory=list)
    school_workers: list = field(default_factory=list)
    school_cumulative: list = field(default_factory=list)
    roles: dict = field(default_factory=dict)  # "channel_chair" → user id …
    panels: dict = field(default_factory=dict)  # kind → panel id
    panel_members: dict = field(default_factory=dict)  # panel id → [user ids]


class World:
    def __init__(self, scale, rng, now):
        self.scale, self.rng, self.now = scale, rng, now
        self.areas: list[AreaInfo] = []
        self.org_name: dict[int, str] = {}
        self.org_sector: dict[int, str] = {}
        self.org_area: dict[int, int] = {}
        self.org_users: dict[int, list] = {}
        self.user_org: dict[int, int] = {}
        self.user_email: dict[int, str] = {}
        self.user_name: dict[int, str] = {}
        self.user_role: dict[int, str] = {}
        self._build()

    # --- building in memory ---------------------------------------------------------------
    def _area_names(self):
        names, rng = set(), self.rng
        roots = list(vocab.AREA_ROOTS)
        rng.shuffle(roots)
        for root in itertools.cycle(roots):
            suffix = rng.choice(vocab.AREA_SUFFIXES)
            name = (
                f"{root}{suffix}"
                if len(names) < len(roots)
                else f"{rng.choice(('North', 'South', 'East', 'West'))} {root}{suffix}"
            )
            if name not in names:
                names.add(name)
                yield name

    def _build(self):
        rng, scale = self.rng, self.scale
        per_area_orgs = max(len(ORGANISATION_SHAPE) + 1, scale.organisations // scale.areas)
        users_per_area = scale.users // scale.areas
        org_id = user_id = 0
        letters = iter(f"{a}{b}" for a in "BCDEGHKLMNPRSTWY" for b in "ABDEFGHLMNPRSTWY")
        for area_id, name in zip(range(1, scale.areas + 1), self._area_names(), strict=False):
            towns = sorted({f"{rng.choice(vocab.TOWN_STARTS)}{rng.choice(vocab.TOWN_ENDS)}" for _ in range(8)})
            area = AreaInfo(area_id, name, reference_prefix(Area(name=name)), towns, next(letters))
            n_schools = per_area_orgs - len(ORGANISATION_SHAPE)
            school_share = (1.0 - sum(s[2] for s in ORGANISATION_SHAPE)) / n_schools
            shape = ORGANISATION_SHAPE + [
                (Sector.EDUCATION, SCHOOL_PATTERNS[i % len(SCHOOL_PATTERNS)], school_share, 2) for i in range(n_schools)
            ]
            names_used = set()
            for index, (sector, pattern, share, minimum) in enumerate(shape):
                org_id += 1
                org_name = pattern.format(area=name, town=rng.choice(towns), saint=rng.choice(SAINTS))
                while org_name in names_used:
                    org_name = pattern.format(area=name, town=rng.choice(towns), saint=rng.choice(SAINTS))
                names_used.add(org_name)
                self.org_name[org_id], self.org_sector[org_id], self.org_area[org_id] = org_name, sector, area_id
                area.organisations.append(org_id)
                if sector == Sector.EDUCATION:
                    area.schools.append(org_id)
                elif index == 0:
                    area.police = org_id
                elif index == 1:
                    area.council = org_id
                count = max(minimum, round(users_per_area * share))
                self.org_users[org_id] = []
                domain = ascii_fold(org_name)[:24] + ".example"
                for position in range(count):
                    user_id += 1
                    given, family = self.person_name(rng)
                    self.user_org[user_id] = org_id
                    self.user_name[user_id] = f"{given} {family}"
                    self.user_email[user_id] = f"{ascii_fold(given)}.{ascii_fold(family)}.{user_id}@{domain}"
                    self.user_role[user_id] = self._role(area, sector, index, position, user_id)
                    self.org_users[org_id].append(user_id)
            self.areas.append(area)
        self._workers()

    def _role(self, area, sector, index, position, user_id) -> str:
        if index > 1:
            return Role.ORG_ADMIN if position == 0 else Role.PRACTITIONER
        places = COUNCIL if index == 1 else POLICE
        for role_name, place in places.items():
            if place == position:
                area.roles[role_name] = user_id
                if role_name == "system_admin" and area.id != 1:
                    return Role.PRACTITIONER  # one system administrator for the whole deployment
                return {
                    "channel_chair": Role.PANEL_CHAIR,
                    "behaviour_chair": Role.PANEL_CHAIR,
                    "other_chair": Role.PANEL_CHAIR,
                    "admin": Role.PANEL_ADMIN,
                    "admin2": Role.PANEL_ADMIN,
                    "org_admin": Role.ORG_ADMIN,
                    "police_org_admin": Role.ORG_ADMIN,
                    "system_admin": Role.SYSTEM_ADMIN,
                }.get(role_name, Role.PRACTITIONER)
        return Role.PRACTITIONER

    def _workers(self):
        """Who owns and joins cases: case-work roles, each with a caseload weight drawn from
        a heavy-tailed distribution (a few people are on very many cases). The benchmark's
        named users are left out here and given their cases explicitly."""
        rng = self.rng
        for area in self.areas:
            reserved = {area.roles.get("bench_practitioner"), area.roles.get("system_admin")}
            for org_id in area.organisations:
                for uid in self.org_users[org_id]:
                    if uid in reserved or self.user_role[uid] in (Role.SYSTEM_ADMIN, Role.AUDITOR):
                        continue
                    weight = rng.paretovariate(1.6)
                    area.workers.append(uid)
                    area.worker_cumulative.append((area.worker_cumulative or [0])[-1] + weight)
                    if self.org_sector[org_id] == Sector.EDUCATION:
                        area.school_workers.append(uid)
                        area.school_cumulative.append((area.school_cumulative or [0])[-1] + weight)

    _given_cum = None

    @classmethod
    def name_indexes(cls, rng) -> tuple[int, int, int, int]:
        """(sex 0 female / 1 male, given index, middle index + 1 or 0, family index)."""
        if cls._given_cum is None:
            World._given_cum = (zipf_cumulative(len(vocab.FEMALE), 0.8), zipf_cumulative(len(vocab.MALE), 0.8))
            World._family_cum = zipf_cumulative(len(vocab.FAMILY), 0.7)
            World._female_ix = list(range(len(vocab.FEMALE)))
            World._male_ix = list(range(len(vocab.MALE)))
            World._family_ix = list(range(len(vocab.FAMILY)))
        sex = 0 if rng.random() < 0.5 else 1
        items = World._female_ix if sex == 0 else World._male_ix
        given = pick(rng, items, World._given_cum[sex])
        middle = pick(rng, items, World._given_cum[sex]) + 1 if rng.random() < 0.08 else 0
        family = pick(rng, World._family_ix, World._family_cum)
        return sex, given, middle, family

    @staticmethod
    def given_name(sex: int, given: int, middle: int) -> str:
        names = vocab.FEMALE if sex == 0 else vocab.MALE
        return f"{names[given]} {names[middle - 1]}" if middle else names[given]

    def person_name(self, rng) -> tuple[str, str]:
        sex, given, middle, family = self.name_indexes(rng)
        return self.given_name(sex, given, 0), vocab.FAMILY[family]

    def worker(self, rng, area: AreaInfo) -> int:
        return pick(rng, area.workers, area.worker_cumulative)

    def school_worker(self, rng, area: AreaInfo) -> int:
        return pick(rng, area.school_workers, area.school_cumulative)

    # --- writing --------------------------------------------------------------------------
    def write(self, writer, password_hash: str) -> None:
        rng, now = self.rng, self.now
        joined = now - timedelta(days=2000)
        areas = Stream(Area, ("id", "name", "nation"))
        orgs = Stream(Organisation, ("id", "name", "area_id", "sector", "is_active", "created_at"))
        users = Stream(
            User,
            (
                "id",
                "email",
                "full_name",
                "job_title",
                "organisation_id",
                "role",
                "is_active",
                "date_joined",
                "password",
                "is_superuser",
                "session_generation",
            ),
        )
        for area in self.areas:
            writer.add(areas, (area.id, area.name, Area.Nation.ENGLAND if area.id % 9 else Area.Nation.WALES))
        for org_id, name in self.org_name.items():
            writer.add(orgs, (org_id, name, self.org_area[org_id], self.org_sector[org_id], True, joined))
        for uid, email in self.user_email.items():
            sector = self.org_sector[self.user_org[uid]]
            title = rng.choice(vocab.JOB_TITLES.get(sector, vocab.JOB_TITLES["other"]))
            writer.add(
                users,
                (uid, email, self.user_name[uid], title, self.user_org[uid], self.user_role[uid], True,
                 joined + timedelta(days=rng.randint(0, 1900)), password_hash, False, 0),
            )  # fmt: skip
        self._write_panels(writer)

    def _write_panels(self, writer) -> None:
        rng, now = self.rng, self.now
        panels = Stream(
            Panel,
            ("id", "name", "kind", "area_id", "chair_id", "is_active", "police_lead_id", "adults_lead_id",
             "children_lead_id", "info_request_days", "post_exit_review_months", "created_at", "updated_at"),
        )  # fmt: skip
        through = {
            name: Stream(getattr(Panel, name).through, ("id", "panel_id", "user_id"))
            for name in ("administrators", "members", "prevent_team")
        }
        panel_id, link_id = 0, dict.fromkeys(through, 0)
        created = now - timedelta(days=1500)

        def link(name, pid, uids):
            for uid in dict.fromkeys(uids):
                link_id[name] += 1
                writer.add(through[name], (link_id[name], pid, uid))

        for area in self.areas:
            r = area.roles
            behaviour = f"{area.name} Behaviour Support Panel"
            kinds = [
                (Panel.Kind.CHANNEL, f"{area.name} Channel Panel", r["channel_chair"]),
                (Panel.Kind.BEHAVIOUR_PRIMARY, f"{behaviour} – primary", r["behaviour_chair"]),
                (Panel.Kind.BEHAVIOUR_SECONDARY, f"{behaviour} – secondary", r["behaviour_chair"]),
                (Panel.Kind.OTHER, f"{area.name} Multi-agency Safeguarding Panel", r["other_chair"]),
            ]
            for kind, name, chair in kinds:
                panel_id += 1
                channel = kind == Panel.Kind.CHANNEL
                writer.add(
                    panels,
                    (panel_id, name, kind, area.id, chair, True, r["police_lead"] if channel else None,
                     r["adults_lead"] if channel else None, r["children_lead"] if channel else None, 5, "6,12",
                     created, created),
                )  # fmt: skip
                area.panels[kind] = panel_id
                # Standing members: one or two from each organisation (up to ~16 people).
                members = [rng.choice(self.org_users[org]) for org in area.organisations]
                members += [r["police_lead"], r["adults_lead"], r["children_lead"]] if channel else []
                members = [m for m in dict.fromkeys(members) if m not in (chair, r["admin"], r["admin2"])][:16]
                area.panel_members[panel_id] = [chair, r["admin"], r["admin2"], *members]
                link("administrators", panel_id, [r["admin"], r["admin2"]])
                link("members", panel_id, members)
                if channel:
                    link("prevent_team", panel_id, [r["prevent_1"], r["prevent_2"], r["prevent_3"]])

    def totp_key(self, email: str) -> str:
        """A fixed authenticator key per user, so sign-in codes can be computed (scale data only)."""
        return hashlib.sha256(f"roundtable-datagen-totp:{email}".encode()).hexdigest()[:40]
