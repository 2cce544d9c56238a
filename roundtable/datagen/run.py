"""Generate a whole scale into an empty, migrated database, then write the manifest the
page benchmark reads. See docs/scale-data.md."""

import multiprocessing
import os
import random
import resource
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction

from roundtable.accounts.models import Area, Organisation, User
from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case, CaseMembership, CaseReferenceCounter, ChronologyEntry
from roundtable.channel.models import ChannelCase, Referral
from roundtable.datagen.audit import write_audit
from roundtable.datagen.cases import CaseStreams
from roundtable.datagen.manifest import build_manifest
from roundtable.datagen.meetings import write_meetings
from roundtable.datagen.people import Population
from roundtable.datagen.scales import SCALES
from roundtable.datagen.world import World
from roundtable.datagen.writers import writer_for
from roundtable.inforequests.models import InformationRequest, RequestRecipient
from roundtable.meetings.models import AgendaItem, Meeting, PanelCase
from roundtable.panels.models import Panel, WorkflowEvent
from roundtable.people.models import Address, Person, PersonName, SafeguardingFlag, SearchKey
from roundtable.tasks.models import Task

DEFAULT_PASSWORD = "scale-data-not-a-secret-2026"

LOADED_MODELS = [
    Area,
    Organisation,
    User,
    Panel,
    Panel.administrators.through,
    Panel.members.through,
    Panel.prevent_team.through,
    Person,
    Address,
    PersonName,
    SearchKey,
    SafeguardingFlag,
    Case,
    CaseMembership,
    ChronologyEntry,
    ChronologyEntry.restricted_to.through,
    Task,
    InformationRequest,
    RequestRecipient,
    ChannelCase,
    Referral,
    WorkflowEvent,
    PanelCase,
    Meeting,
    AgendaItem,
    AuditEvent,
]


class NotEmpty(Exception):
    pass


@dataclass
class Report:
    phases: list = field(default_factory=list)  # (name, seconds, rows written in the phase)
    index_seconds: dict = field(default_factory=lambda: defaultdict(float))
    total: float = 0.0
    cpu: float = 0.0
    load: tuple = field(default_factory=os.getloadavg)

    def index_time(self, table, seconds):
        self.index_seconds[table] += seconds

    def lines(self, writer) -> list[str]:
        out = [f"{'table':44} {'rows':>11} {'copy s':>8} {'rows/s':>10} {'index s':>8}"]
        for table, rows in sorted(writer.counts.items(), key=lambda kv: -kv[1]):
            seconds = writer.seconds[table]
            rate = rows / seconds if seconds else 0
            out.append(f"{table:44} {rows:11,} {seconds:8.1f} {rate:10,.0f} {self.index_seconds.get(table, 0):8.1f}")
        out.append("")
        for name, seconds, rows in self.phases:
            rate = f"{rows / seconds:,.0f} rows/s" if rows and seconds else ""
            out.append(f"phase {name:24} {seconds:8.1f} s  {rows:>12,} rows  {rate}")
        total_rows = sum(writer.counts.values())
        out.append(f"total {self.total:.1f} s for {total_rows:,} rows ({total_rows / self.total:,.0f} rows/s overall)")
        out.append(
            f"the generator used {self.cpu:.0f} s of CPU; load average {self.load[0]:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} CPUs): other work on the machine slows the load"
        )
        return out


def _check_empty():
    for model in (User, Person, Case, Area):
        if model.objects.exists():
            raise NotEmpty(
                f"The database already holds {model._meta.verbose_name_plural}: generate_data loads an empty, "
                "migrated database. Create a fresh one (docs/scale-data.md)."
            )


def generate(scale_name: str, seed: int, today: date | None = None, password: str = DEFAULT_PASSWORD, log=print):
    """Load the scale; return (manifest dict, report lines)."""
    scale = SCALES[scale_name]
    today = today or date.today()
    # Everything is a function of (scale, seed, today): "now" is a fixed time on that day.
    now = datetime.combine(today, dtime(6, 0), UTC)
    _check_empty()
    writer = writer_for(connection)
    report = Report()
    started = time.perf_counter()
    head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first() or (0, "0" * 64)

    def phase(name, func):
        before = sum(writer.counts.values())
        t = time.perf_counter()
        result = func()
        writer.flush_all()
        seconds = time.perf_counter() - t
        rows = sum(writer.counts.values()) - before
        report.phases.append((name, seconds, rows))
        log(f"  {name}: {seconds:.1f} s, {rows:,} rows")
        return result

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    writer.defer_indexes(LOADED_MODELS)
    atomic = transaction.atomic() if connection.vendor == "sqlite" else _Nothing()
    with atomic:
        world = phase("organisations and users", lambda: _world(scale, seed, now, writer, password))
        population = phase("people (sketch)", lambda: Population(world, seed, today))
        cases = CaseStreams(world, population, seed, now, today)
        phase("people and cases", lambda: _people_and_cases(writer, population, cases, seed, now, log))
        bench = phase("meetings", lambda: write_meetings(writer, world, cases, seed, now, today))
        phase("audit events", lambda: write_audit(writer, cases, seed, head))
        CaseReferenceCounter.objects.bulk_create(
            [CaseReferenceCounter(prefix=p, year=y, last=last) for (p, y), last in sorted(cases.counters.items())]
        )
    phase("indexes and constraints", lambda: writer.restore_indexes(report))
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), LOADED_MODELS):
            cursor.execute(statement)
    phase("vacuum and analyse", lambda: writer.analyse(LOADED_MODELS, report))
    manifest = phase(
        "manifest checks", lambda: build_manifest(world, population, cases, bench, scale, seed, today, password)
    )
    report.total = time.perf_counter() - started
    report.cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    manifest["counts"] = dict(sorted(writer.counts.items()))
    manifest["timing"] = {
        "total_seconds": round(report.total, 1),
        "cpu_seconds": round(report.cpu, 1),
        "load_average": [round(report.load[0], 1), round(os.getloadavg()[0], 1)],
        "phases": {name: round(seconds, 1) for name, seconds, _rows in report.phases},
        "rows_per_second": {
            table: round(rows / writer.seconds[table]) for table, rows in writer.counts.items() if writer.seconds[table]
        },
    }
    return manifest, report.lines(writer)


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _world(scale, seed, now, writer, password):
    world = World(scale, random.Random(f"{seed}:world"), now)
    # One hash for everyone: hashing 20,000 passwords with Argon2 would take minutes. Its salt
    # comes from the seed, so the same seed gives the same rows.
    world.write(writer, make_password(password, salt=f"scaledata{seed}"))
    return world


# What the worker processes share, set before they are forked (so nothing is pickled).
_SHARED: dict = {}


def _job(kind: str, shard: tuple | None):
    """Write the people, or one shard of the cases; return (rows, seconds per table, result)."""
    writer = writer_for(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    s = _SHARED
    result = None
    if kind == "people":
        s["population"].write(writer, s["seed"], s["now"])
    else:
        first, last, id_base = shard
        result = s["cases"].write(writer, first, last, id_base, log=s["log"])
    writer.flush_all()
    return dict(writer.counts), dict(writer.seconds), result


def _people_and_cases(writer, population, cases, seed, now, log) -> None:
    """People and each shard of the cases are independent streams: on PostgreSQL they run in
    worker processes side by side, each with its own connection and COPY (the machine has
    two CPUs, and PostgreSQL ingests on its own); on SQLite one after the other."""

    def say(message):
        log(message)
        sys.stdout.flush()  # workers' lines must not be lost in a buffer when they exit

    _SHARED.update(population=population, cases=cases, seed=seed, now=now, log=say)
    jobs = [("people", None)] + [("cases", shard) for shard in cases.shards()]
    if connection.vendor == "postgresql" and len(jobs) > 2 and not connection.in_atomic_block:
        connection.close()  # each worker opens its own; none may share this socket
        with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
            outcomes = pool.starmap(_job, jobs)
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    else:
        outcomes = [_job(*job) for job in jobs]
    for counts, seconds, _result in outcomes:
        for table, rows in counts.items():
            writer.counts[table] += rows
            writer.seconds[table] += seconds[table]
    cases.merge([result for _counts, _seconds, result in outcomes if result is not None])
