"""Cases and everything recorded on them, streamed one case at a time.

Each case's facts are drawn from a random generator seeded by (seed, case id), so
``plan(case_id)`` gives the same owner, members, dates and title whenever it is asked:
the audit stream (written later, in time order) re-derives who could have viewed a case
without the cases being held in memory.

Skew, as in real case work: most cases have a handful of chronology entries and a few
have hundreds (log-normal counts); one designated case has ``huge_case_entries``; most
activity is recent (case start dates lean towards today); a share of open tasks and
information requests are past their due date.
"""

import random
from array import array
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from math import exp

from roundtable.accounts.models import Role, Sector
from roundtable.cases.models import Case, CaseMembership, ChronologyEntry
from roundtable.channel.models import INDICATORS, ChannelCase, Referral
from roundtable.datagen import vocab
from roundtable.datagen.people import HISTORY_DAYS, Population
from roundtable.datagen.world import AreaInfo, World, pick, zipf_cumulative
from roundtable.datagen.writers import Stream
from roundtable.inforequests.models import STANDARD_QUESTIONS, InformationRequest, RequestRecipient
from roundtable.meetings.models import PanelCase
from roundtable.panels.models import Panel, WorkflowEvent
from roundtable.tasks.models import Task

# Plain strings: an enum member lookup is a descriptor call, and these run millions of times.
CHANNEL, BEHAVIOUR, REFERRAL, SAFEGUARDING = "channel", "behaviour_support", "referral", "safeguarding"
STATE_OPEN, STATE_ON_HOLD, STATE_CLOSED = "open", "on_hold", "closed"
PENDING, ANSWERED, WITHDRAWN = "pending", "answered", "withdrawn"
LAWFUL_BASES = tuple(InformationRequest.LawfulBasis.values[:4])
CONSENTS = tuple(InformationRequest.Consent.values[:2])
OUTCOMES = tuple(RequestRecipient.Outcome.values)
OWNER, CONTRIBUTOR, VIEWER = CaseMembership.Role.OWNER, CaseMembership.Role.CONTRIBUTOR, CaseMembership.Role.VIEWER
SAFEGUARDING_TITLES = (
    "Safeguarding – neglect",
    "Child in need",
    "Concerns about exploitation",
    "Domestic abuse",
    "Missing from home",
    "Adult safeguarding – self-neglect",
    "Concerns raised by school",
    "Online safety concerns",
)
REFERRAL_TITLES = ("Early help referral", "Multi-agency referral", "Referral from school", "Referral from health")
CHANNEL_OPEN = (("referred", 15), ("with_local_authority", 15), ("awaiting_panel", 20), ("adopted", 15),
                ("in_support", 30), ("exit_recommended", 5))  # fmt: skip
CHANNEL_CLOSED = (("closed_nfa", 50), ("closed_safeguarding", 15), ("signposted", 15), ("exited", 20))
AUDIT_SPAN = timedelta(days=365)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OPEN, IN_PROGRESS, DONE, CANCELLED = Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.DONE, Task.Status.CANCELLED
TASK_CLOSED = (DONE,) * 7 + (CANCELLED,)
TASK_LATE = (OPEN, IN_PROGRESS, DONE, DONE)
TASK_CURRENT = (OPEN, OPEN, IN_PROGRESS, DONE)


def _cumulative(pairs):
    items, total, cum = [], 0, []
    for item, weight in pairs:
        total += weight
        items.append(item)
        cum.append(total)
    return items, cum


@dataclass(slots=True)
class CasePlan:
    id: int
    person: int
    area: AreaInfo
    kind: str
    state: str
    created: datetime
    ended: datetime
    owner: int
    members: dict  # user id → role
    title: str
    reference: str
    child: bool
    rng: random.Random


class CaseStreams:
    def __init__(self, world: World, population: Population, seed: int, now: datetime, today: date):
        self.world, self.population, self.seed, self.now, self.today = world, population, seed, now, today
        self.start = now - timedelta(days=HISTORY_DAYS)
        self._rng = random.Random()
        self.areas = {a.id: a for a in world.areas}
        scale = world.scale
        # The benchmark's cases (see manifest.py): chosen from the first area.
        first_area = world.areas[0].id
        area_cases = [
            cid for cid in range(1, scale.cases + 1) if population.area[population.case_person[cid]] == first_area
        ]
        self.huge_case, self.grid_case = area_cases[0], area_cases[1]
        wanted = min(50, max(5, len(area_cases) // 8))
        stride = max(1, len(area_cases) // wanted)
        self.bench_cases = {self.huge_case, *area_cases[2::stride][: wanted - 1]}
        self.bench_practitioner = world.areas[0].roles["bench_practitioner"]
        self.mean_entries = max(1.0, (scale.entries - scale.huge_case_entries) / max(1, scale.cases - 1))
        self.mean_tasks = scale.tasks / scale.cases
        # Channel cases get about two information requests each; the rest share what is left.
        self.ir_other_rate = max(0.0, (scale.inforequests - 0.05 * scale.cases * 2.0) / (0.95 * scale.cases))
        self.audit_rate = scale.audit_events / scale.cases
        self.audit_since = (now - AUDIT_SPAN).timestamp()
        self._fresh_results()
        # Lookup tables for the entry loop: 1,024 (kind, summary) pairs in proportion to the
        # kinds' weights, 4,096 bodies of one to four sentences, 8 recording delays.
        table_rng = random.Random(f"{seed}:tables")
        kinds, kind_cum = _cumulative((k, w) for k, w, _ in vocab.ENTRY_KINDS)
        summaries = {k: s for k, _, s in vocab.ENTRY_KINDS}
        self.kind_table = []
        for _ in range(1024):
            kind = pick(table_rng, kinds, kind_cum)
            self.kind_table.append((kind, table_rng.choice(summaries[kind])))
        sentence_cum = zipf_cumulative(len(vocab.SENTENCES), 0.3)
        self.bodies = []
        for _ in range(4096):
            body = " ".join(pick(table_rng, vocab.SENTENCES, sentence_cum) for _ in range(table_rng.randint(1, 3)))
            if table_rng.random() < 0.2:
                body += "\n\n" + pick(table_rng, vocab.SENTENCES, sentence_cum)
            self.bodies.append(body)
        self.delays = [timedelta(minutes=m) for m in (3, 10, 25, 60, 120, 480, 1440, 2880)]
        self.due_in = [timedelta(days=d) for d in (2, 5, 5, 7, 10, 14, 21, 28)]
        self.done_after = [timedelta(days=table_rng.randint(0, 20), hours=table_rng.randint(1, 8)) for _ in range(16)]
        self.open_channel = _cumulative(CHANNEL_OPEN)
        self.closed_channel = _cumulative(CHANNEL_CLOSED)
        self._streams()

    # --- the plan of one case (deterministic per case id) ------------------------------------
    def plan(self, case_id: int) -> CasePlan:
        rng = self._rng
        rng.seed(self.seed * 100_000_007 + case_id)
        world, population, now = self.world, self.population, self.now
        pid = population.case_person[case_id]
        area = self.areas[population.area[pid]]
        person_created = population.created_at(pid, self.start)
        created = person_created + (now - person_created) * (rng.random() ** 0.6)
        age = population.age_on(pid, created.date())
        child = age is not None and age < 18
        r = rng.random()
        if case_id == self.huge_case:
            kind, created = SAFEGUARDING, self.start + timedelta(days=5)
        elif case_id == self.grid_case or r < 0.05:
            kind = CHANNEL
        elif r < 0.20 and child:
            kind = BEHAVIOUR
        elif r < 0.55:
            kind = REFERRAL
        else:
            kind = SAFEGUARDING
        days_old = (now - created).days
        s = rng.random()
        if case_id in (self.huge_case, self.grid_case) or s < (0.85 if days_old < 180 else 0.20):
            state = STATE_OPEN
        elif s < (0.90 if days_old < 180 else 0.25):
            state = STATE_ON_HOLD
        else:
            state = STATE_CLOSED
        ended = now
        if state == STATE_CLOSED:
            ended = min(now - timedelta(days=1), created + timedelta(days=rng.randint(20, 540)))
            ended = max(ended, created)
        roles = area.roles
        members: dict[int, str] = {}
        if kind == CHANNEL:
            owner = roles["police_lead"]
            members[owner] = OWNER
            for key in ("prevent_1", "prevent_2", "prevent_3"):
                members[roles[key]] = CONTRIBUTOR
            if case_id == self.grid_case or rng.random() < 0.6:
                members.setdefault(roles["channel_chair"], CONTRIBUTOR)
                members.setdefault(roles["children_lead" if child else "adults_lead"], CONTRIBUTOR)
            extra = rng.randint(0, 2)
            title = "Prevent referral"
        else:
            owner = world.school_worker(rng, area) if kind == BEHAVIOUR else world.worker(rng, area)
            members[owner] = OWNER
            extra = (0, 1, 1, 1, 2, 2, 3, 4, 6)[rng.randrange(9)]
            if kind == BEHAVIOUR:
                title = "Behaviour support referral"
            elif kind == REFERRAL:
                title = rng.choice(REFERRAL_TITLES)
            else:
                title = rng.choice(SAFEGUARDING_TITLES)
        if case_id == self.huge_case:
            extra = 8
        for _ in range(extra):
            members.setdefault(world.worker(rng, area), CONTRIBUTOR if rng.random() < 0.7 else VIEWER)
        if case_id in self.bench_cases:
            if case_id == self.huge_case:
                members = {self.bench_practitioner: OWNER, **dict.fromkeys(members, CONTRIBUTOR)}
                owner = self.bench_practitioner
            else:
                members.setdefault(self.bench_practitioner, CONTRIBUTOR)
        reference = f"{area.prefix}-{created.year}-{case_id:06d}"
        return CasePlan(case_id, pid, area, kind, state, created, ended, owner, members, title, reference, child, rng)

    # --- streams --------------------------------------------------------------------------------
    # --- shards: ranges of cases made side by side, each numbering its rows from its own block
    def shards(self) -> list[tuple[int, int, int]]:
        """(first case, last case, id base) of each shard. One shard below county scale;
        two above, the second numbering every table's rows from a round block above what
        the first can reach (10,000,001 at national scale), so two processes can write at
        once and the rows are still the same whatever the order they finish in."""
        scale = self.world.scale
        if scale.cases < 50_000:
            return [(1, scale.cases, 0)]
        half = scale.cases // 2
        return [(1, half, 0), (half + 1, scale.cases, self.block)]

    @property
    def block(self) -> int:
        scale = self.world.scale
        return 10 ** len(str(int(scale.entries * 0.75)))

    def write(self, writer, first: int = 1, last: int | None = None, id_base: int = 0, log=None) -> dict:
        """Make cases ``first``…``last``; return what later stages need (see ``merge``)."""
        last = last or self.world.scale.cases
        self.ids = dict.fromkeys(self.ids, id_base)
        self._fresh_results()
        step = max(1, (last - first + 1) // 5)
        for case_id in range(first, last + 1):
            self._write_case(writer, self.plan(case_id))
            if log and (case_id - first + 1) % step == 0:
                log(f"    cases {first:,}–{case_id:,} made, {self.ids['entry'] - id_base:,} entries")
        if len(self.shards()) > 1:
            full = [name for name, value in self.ids.items() if value >= id_base + self.block]
            if full:
                raise RuntimeError(f"A shard outgrew its block of ids ({full}): make CaseStreams.block larger")
        return {
            "counters": self.counters,
            "agenda_pools": self.agenda_pools,
            "bench_entry_counts": self.bench_entry_counts,
            "entries_per_case_max": self.entries_per_case_max,
            "audit": (self.audit_time, self.audit_case, self.audit_actor, self.audit_year, self.audit_title),
            "titles": self.titles,
        }

    def _fresh_results(self) -> None:
        self.counters: dict[tuple[str, int], int] = {}  # (reference prefix, year) → last number used
        self.agenda_pools: dict[int, list] = {}  # panel id → open case ids it reviews
        self.bench_entry_counts: dict[int, int] = {}
        self.entries_per_case_max = (0, 0)
        # Audit "seeds": a member of a case looking at or writing to it at some moment in the
        # last year. Kept in compact arrays (about 20 bytes each) and written in time order
        # by audit.py once every case has been made.
        self.audit_time, self.audit_case = array("d"), array("I")
        self.audit_actor, self.audit_year, self.audit_title = array("I"), array("H"), array("B")
        self.titles: dict[str, int] = {}

    def merge(self, results: list[dict]) -> None:
        """Gather the shards' results, in shard order, into this object."""
        self._fresh_results()
        for result in results:
            for key, value in result["counters"].items():
                self.counters[key] = max(self.counters.get(key, 0), value)
            for panel, cases in result["agenda_pools"].items():
                self.agenda_pools.setdefault(panel, []).extend(cases)
            self.bench_entry_counts.update(result["bench_entry_counts"])
            self.entries_per_case_max = max(self.entries_per_case_max, result["entries_per_case_max"])
            times, case_ids, actors, years, titles = result["audit"]
            number = {n: self.titles.setdefault(title, len(self.titles)) for title, n in result["titles"].items()}
            self.audit_time.extend(times)
            self.audit_case.extend(case_ids)
            self.audit_actor.extend(actors)
            self.audit_year.extend(years)
            self.audit_title.extend(array("B", (number[n] for n in titles)))

    def _streams(self):
        self.s_case = Stream(
            Case,
            ("id", "reference", "person_id", "kind", "state", "title", "owner_id", "lead_organisation_id", "area_id",
             "created_at", "updated_at"),
        )  # fmt: skip
        self.s_member = Stream(CaseMembership, ("id", "case_id", "user_id", "role", "added_by_id", "added_at"))
        self.s_entry = Stream(
            ChronologyEntry,
            ("id", "case_id", "kind", "summary", "body", "occurred_at", "recorded_at", "author_id", "organisation_id",
             "is_restricted", "retracted_at", "retracted_by_id", "retraction_reason"),
        )  # fmt: skip
        self.s_restricted = Stream(ChronologyEntry.restricted_to.through, ("id", "chronologyentry_id", "user_id"))
        self.s_task = Stream(
            Task,
            ("id", "case_id", "title", "assignee_id", "created_by_id", "created_at", "due_date", "status",
             "completion_note", "completed_at"),
        )  # fmt: skip
        self.s_request = Stream(
            InformationRequest,
            ("id", "case_id", "requested_by_id", "requester_organisation_id", "created_at", "questions",
             "lawful_basis", "consent_position", "response_days", "due_date"),
        )  # fmt: skip
        self.s_recipient = Stream(
            RequestRecipient,
            ("id", "request_id", "organisation_id", "user_id", "status", "outcome", "answer", "answered_by_id",
             "answered_at", "shared_at", "shared_by_id", "withdrawn_at", "withdrawn_by_id"),
        )  # fmt: skip
        self.s_channel = Stream(
            ChannelCase,
            ("id", "case_id", "panel_id", "state", "age_group", "age_at_referral", "urgency", "referred_at",
             "exited_at", "updated_at"),
        )  # fmt: skip
        self.s_referral = Stream(
            Referral,
            ("id", "channel_case_id", "reference", "source", "submitted_by_id", "submitted_at", "given_name",
             "family_name", "date_of_birth", "approximate_age", "sex", "school_or_employer", "concern", "indicators",
             "urgency", "referrer_name", "referrer_organisation", "referrer_role", "referrer_sector", "person_aware",
             "family_aware", "consent"),
        )  # fmt: skip
        self.s_event = Stream(
            WorkflowEvent,
            ("id", "case_id", "workflow", "transition", "from_state", "to_state", "actor_id", "actor_organisation",
             "occurred_at", "data"),
        )  # fmt: skip
        self.s_panelcase = Stream(PanelCase, ("id", "panel_id", "case_id", "added_by_id", "added_at", "ended_at"))
        names = ("member", "entry", "restricted", "task", "request", "recipient", "channel", "event", "panelcase")
        self.ids = dict.fromkeys(names, 0)

    def _next(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def _write_case(self, writer, plan: CasePlan) -> None:
        rng, world = plan.rng, self.world
        members = list(plan.members)
        updated = self._entries(writer, plan, members)
        writer.add(
            self.s_case,
            (plan.id, plan.reference, plan.person, plan.kind, plan.state, plan.title, plan.owner,
             world.user_org[plan.owner], plan.area.id, plan.created, max(updated, plan.created)),
        )  # fmt: skip
        key = (plan.area.prefix, plan.created.year)
        self.counters[key] = max(self.counters.get(key, 0), plan.id)
        for uid, role in plan.members.items():
            writer.add(self.s_member, (self._next("member"), plan.id, uid, role, plan.owner, plan.created))
        self._tasks(writer, plan, members)
        if plan.kind == CHANNEL:
            self._channel(writer, plan)
        elif plan.kind == BEHAVIOUR:
            panel = plan.area.panels[
                Panel.Kind.BEHAVIOUR_PRIMARY if rng.random() < 0.5 else Panel.Kind.BEHAVIOUR_SECONDARY
            ]
            ended = plan.ended if plan.state == STATE_CLOSED else None
            writer.add(
                self.s_panelcase,
                (self._next("panelcase"), panel, plan.id, plan.area.roles["admin"], plan.created, ended),
            )
            if ended is None:
                self.agenda_pools.setdefault(panel, []).append(plan.id)
        requests = 0
        if plan.id == self.grid_case:
            requests = 6
        elif plan.kind == CHANNEL:
            requests = (0, 1, 2, 2, 3, 4)[rng.randrange(6)]
        elif rng.random() < self.ir_other_rate:
            requests = 1
        for _ in range(requests):
            self._request(writer, plan)
        self._audit_seeds(plan, members)

    def _audit_seeds(self, plan: CasePlan, members: list) -> None:
        rng = plan.rng
        count = int(rng.expovariate(1 / self.audit_rate) + 0.5) if self.audit_rate else 0
        if not count:
            return
        begin = max(plan.created.timestamp(), self.audit_since)
        length = self.now.timestamp() - begin
        title = self.titles.setdefault(plan.title, len(self.titles))
        for _ in range(count):
            self.audit_time.append(begin + length * rng.random())
            self.audit_case.append(plan.id)
            self.audit_actor.append(members[int(rng.random() * len(members))])
            self.audit_year.append(plan.created.year)
            self.audit_title.append(title)

    def _entries(self, writer, plan: CasePlan, members: list) -> datetime:
        rng, world, now = plan.rng, self.world, self.now
        if plan.id == self.huge_case:
            count = world.scale.huge_case_entries
        else:
            count = max(1, round(self.mean_entries * rng.lognormvariate(0, 1) / exp(0.5)))
        if plan.id in self.bench_cases:
            self.bench_entry_counts[plan.id] = count
        if count > self.entries_per_case_max[0]:
            self.entries_per_case_max = (count, plan.id)
        start = plan.created.timestamp()
        span = plan.ended.timestamp() - start
        random_, bits = rng.random, rng.getrandbits
        times = sorted([start + span * random_() for _ in range(count)])
        # The owner writes about three entries in five when others are on the case too.
        authors = [plan.owner, plan.owner, *members]
        n_authors, n_members = len(authors), len(members)
        kinds, bodies, delays = self.kind_table, self.bodies, self.delays
        user_org, add, s_entry = world.user_org, writer.add, self.s_entry
        case_id, entry_id, fromtimestamp = plan.id, self.ids["entry"], datetime.fromtimestamp
        recorded = plan.created
        # The hot loop of the whole generator (10 million times at national scale): table
        # lookups by random bits rather than weighted choices.
        for t in times:
            entry_id += 1
            occurred = fromtimestamp(t, UTC)
            recorded = occurred + delays[bits(3)]
            if recorded > now:
                recorded = now
            author = authors[int(random_() * n_authors)]
            kind, summary = kinds[bits(10)]
            r = random_()
            restricted = r < 0.02
            if r > 0.997:
                retraction = (min(recorded + timedelta(days=1), now), author, "Recorded on the wrong case")
            else:
                retraction = (None, None, "")
            add(s_entry, (entry_id, case_id, kind, summary, bodies[bits(12)], occurred, recorded, author,
                          user_org[author], restricted, *retraction))  # fmt: skip
            if restricted and n_members > 1:
                named = members[int(random_() * n_members)]
                if named != author:
                    add(self.s_restricted, (self._next("restricted"), entry_id, named))
        self.ids["entry"] = entry_id
        return recorded

    def _tasks(self, writer, plan: CasePlan, members: list) -> None:
        rng, now, today = plan.rng, self.now, self.today
        count = int(rng.expovariate(1 / self.mean_tasks) + 0.5) if self.mean_tasks else 0
        if not count:
            return
        random_, bits = rng.random, rng.getrandbits
        closed = plan.state == STATE_CLOSED
        if closed:
            begin, length = plan.created, plan.ended - plan.created
        else:
            # Open work: tasks set in the last four months, due within a few weeks.
            begin = max(plan.created, now - timedelta(days=120))
            length = now - begin
        n_members, titles = len(members), vocab.TASK_TITLES
        for _ in range(count):
            created = begin + length * random_()
            due = created.date() + self.due_in[bits(3)]
            assignee = members[int(random_() * n_members)]
            if closed:
                status = TASK_CLOSED[bits(3)]
            elif due < today:
                status = TASK_LATE[bits(2)]  # half of the late ones are still open: overdue
            else:
                status = TASK_CURRENT[bits(2)]
            completed, note = None, ""
            if status == DONE:
                completed = min(now, created + self.done_after[bits(4)])
                note = "Done." if random_() < 0.7 else "Completed; details in the chronology."
            writer.add(
                self.s_task,
                (self._next("task"), plan.id, titles[int(random_() * len(titles))], assignee, plan.owner, created,
                 due, status, note, completed),
            )  # fmt: skip

    def _request(self, writer, plan: CasePlan) -> None:
        rng, world, now, today = plan.rng, self.world, self.now, self.today
        police = [u for u in plan.members if world.org_sector[world.user_org[u]] == Sector.POLICE]
        chairs = [u for u in plan.members if world.user_role[u] == Role.PANEL_CHAIR]
        sender = rng.choice(police or chairs or [plan.owner])
        sender_org = world.user_org[sender]
        created = plan.created + (plan.ended - plan.created) * rng.random() ** 0.3
        due = created.date() + timedelta(days=7)  # five working days
        request_id = self._next("request")
        questions = [text for _key, text in rng.sample(STANDARD_QUESTIONS, rng.randint(2, 4))]
        writer.add(
            self.s_request,
            (request_id, plan.id, sender, sender_org, created, questions,
             rng.choice(LAWFUL_BASES), rng.choice(CONSENTS),
             5, due),
        )  # fmt: skip
        organisations = [o for o in plan.area.organisations if o != sender_org]
        for org in rng.sample(organisations, min(len(organisations), rng.randint(2, 5))):
            named = rng.choice(world.org_users[org]) if rng.random() < 0.1 else None
            answered_by = answered_at = shared_at = shared_by = withdrawn_at = withdrawn_by = None
            outcome = answer = ""
            r = rng.random()
            if due >= today and r < 0.7:
                status = PENDING
            elif r < 0.08:
                status = PENDING  # late: past its due date
            elif r < 0.12:
                status = WITHDRAWN
                withdrawn_at, withdrawn_by = min(now, created + timedelta(days=2)), sender
            else:
                status = ANSWERED
                answered_by = named or rng.choice(world.org_users[org])
                answered_at = min(now, created + timedelta(days=rng.randint(0, 9), hours=rng.randint(1, 7)))
                outcome = rng.choice(OUTCOMES)
                answer = rng.choice(vocab.ANSWERS)
                if rng.random() < 0.3:
                    shared_at, shared_by = min(now, answered_at + timedelta(days=1)), sender
            writer.add(
                self.s_recipient,
                (self._next("recipient"), request_id, org, named, status, outcome, answer, answered_by, answered_at,
                 shared_at, shared_by, withdrawn_at, withdrawn_by),
            )  # fmt: skip

    def _channel(self, writer, plan: CasePlan) -> None:
        rng, world, population = plan.rng, self.world, self.population
        channel_id = self._next("channel")
        items, cum = self.open_channel if plan.state != STATE_CLOSED else self.closed_channel
        state = "awaiting_panel" if plan.id == self.grid_case else pick(rng, items, cum)
        age = population.age_on(plan.person, plan.created.date())
        panel = plan.area.panels["channel"]
        exited = plan.ended if state == "exited" else None
        writer.add(
            self.s_channel,
            (channel_id, plan.id, panel, state, "child" if plan.child else "adult", age,
             "urgent" if rng.random() < 0.1 else "routine", plan.created, exited, plan.ended),
        )  # fmt: skip
        if plan.state != STATE_CLOSED:
            self.agenda_pools.setdefault(panel, []).append(plan.id)
        # A random-looking, unique reference: the channel id scrambled by a fixed bijection.
        code = (channel_id * 2_654_435_761) % 32**8
        letters = "".join(REFERENCE_ALPHABET[(code >> (5 * i)) & 31] for i in range(8))
        submitter = world.worker(rng, plan.area)
        sector = world.org_sector[world.user_org[submitter]]
        referrer_sector = (
            sector if sector in ("education", "police", "local_authority", "health", "probation") else "other"
        )
        person = plan.person
        writer.add(
            self.s_referral,
            (channel_id, channel_id, f"PR-{letters[:4]}-{letters[4:]}", "in_app", submitter, plan.created,
             population.given_name(person), population.family_name(person), population.date_of_birth(person),
             None if population.dob[person] else 30, ("female", "male")[population.sex[person]], "",
             rng.choice(vocab.CONCERNS), [key for key, _label in rng.sample(INDICATORS, 2)],
             "routine", world.user_name[submitter], world.org_name[world.user_org[submitter]], "",
             referrer_sector, "yes", "not_known", "not_asked"),
        )  # fmt: skip
        writer.add(
            self.s_event,
            (self._next("event"), plan.id, "channel", "referral", "", "referred", submitter,
             world.org_name[world.user_org[submitter]], plan.created,
             {"source": "in_app", "urgency": "routine", "referrer_sector": referrer_sector}),
        )  # fmt: skip
