"""Writing generated rows fast: binary COPY on PostgreSQL, executemany on SQLite.

Rows arrive as tuples in the order of a ``Stream``'s named columns; the columns a stream
does not name get the model field's default (the same value Django would have saved),
so a generator only spells out what varies. Rows are buffered per table and flushed in
batches, so memory stays flat whatever the scale.

On PostgreSQL, ``PostgresWriter.defer_indexes`` drops the secondary indexes, unique and
foreign-key constraints of the tables being loaded (their definitions are read from the
catalogue first) and ``restore_indexes`` puts back exactly those definitions after the
load: building an index once over sorted data is far cheaper than maintaining it row by
row. Primary keys and check constraints stay.
"""

import ipaddress
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models

_MISSING = object()


def _default(f):
    if f.has_default():
        value = f.get_default()
        return value
    if f.null:
        return None
    if isinstance(f, (models.CharField, models.TextField)):
        return ""  # blank=True text: Django saves "" when nothing is given
    return _MISSING


@dataclass
class Stream:
    """One table, fed with tuples of ``names`` (attnames, e.g. "case_id")."""

    model: type
    names: tuple
    columns: list = field(init=False)
    consts: tuple = field(init=False)
    json_positions: list = field(init=False)
    datetime_positions: list = field(init=False)
    buffer: list = field(init=False, default_factory=list)

    def __post_init__(self):
        by_attname = {f.attname: f for f in self.model._meta.concrete_fields}
        unknown = [name for name in self.names if name not in by_attname]
        if unknown:
            raise ValueError(f"{self.model.__name__} has no columns {unknown}")
        extra, consts = [], []
        for attname, f in by_attname.items():
            if attname in self.names:
                continue
            value = _default(f)
            if value is _MISSING:
                raise ValueError(f"{self.model.__name__}.{attname} needs a value (no default)")
            if value is not None:
                extra.append(f)
                consts.append(value)
        fields = [by_attname[name] for name in self.names] + extra
        self.columns = [f.column for f in fields]
        self.consts = tuple(consts)
        self.json_positions = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        self.datetime_positions = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


class Writer:
    batch = 20_000

    def __init__(self, connection):
        self.connection = connection
        self.streams: dict[int, Stream] = {}
        self.counts = defaultdict(int)
        self.seconds = defaultdict(float)  # time spent writing each table (generation is separate)

    def add(self, stream: Stream, values: tuple) -> None:
        buffer = stream.buffer
        buffer.append(values + stream.consts)  # (a tuple plus an empty tuple is the tuple itself)
        if len(buffer) >= self.batch:
            self.flush(stream)
        elif len(buffer) == 1:
            self.streams[id(stream)] = stream

    def flush(self, stream: Stream) -> None:
        rows = stream.buffer
        if not rows:
            return
        started = time.perf_counter()
        self._write(stream, rows)
        self.seconds[stream.table] += time.perf_counter() - started
        self.counts[stream.table] += len(rows)
        rows.clear()

    def flush_all(self) -> None:
        for stream in list(self.streams.values()):
            self.flush(stream)

    def _write(self, stream: Stream, rows: list) -> None:
        raise NotImplementedError

    # Hooks around the load; no-ops where the backend gains nothing.
    def defer_indexes(self, models_: list) -> None:
        pass

    def restore_indexes(self, report) -> None:
        pass

    def analyse(self, models_: list, report) -> None:
        pass


class SQLiteWriter(Writer):
    """Plain parameterised inserts: fine for the tiny and small scales the tests use."""

    def _write(self, stream, rows):
        ops = self.connection.ops
        if stream.json_positions or stream.datetime_positions:
            converted = []
            for row in rows:
                row = list(row)
                for i in stream.json_positions:
                    row[i] = json.dumps(row[i])
                for i in stream.datetime_positions:
                    row[i] = ops.adapt_datetimefield_value(row[i])
                converted.append(row)
            rows = converted
        columns = ", ".join(f'"{c}"' for c in stream.columns)
        marks = ", ".join("?" * len(stream.columns))
        with self.connection.cursor() as cursor:
            # Table and column names come from the models, never from input.
            cursor.executemany(f'INSERT INTO "{stream.table}" ({columns}) VALUES ({marks})', rows)  # noqa: S608


class PostgresWriter(Writer):
    batch = 50_000

    def __init__(self, connection):
        super().__init__(connection)
        self.type_oids: dict[str, list[int]] = {}
        self.deferred: list[tuple[str, str]] = []  # (table, SQL to restore), in restore order

    def _oids(self, stream: Stream) -> list[int]:
        key = f"{stream.table}:{','.join(stream.columns)}"
        if key not in self.type_oids:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                    [stream.table],
                )
                oids = dict(cursor.fetchall())
            self.type_oids[key] = [oids[c] for c in stream.columns]
        return self.type_oids[key]

    def _write(self, stream, rows):
        oids = self._oids(stream)
        inet = [i for i, oid in enumerate(oids) if oid == 869]  # inet wants ipaddress objects
        columns = ", ".join(f'"{c}"' for c in stream.columns)
        raw = self.connection.connection  # the psycopg connection under Django's wrapper
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{stream.table}" ({columns}) FROM STDIN (FORMAT BINARY)') as copy:
                copy.set_types(oids)
                if inet:
                    for row in rows:
                        row = list(row)
                        for i in inet:
                            row[i] = ipaddress.ip_address(row[i]) if row[i] else None
                        copy.write_row(row)
                else:
                    for row in rows:
                        copy.write_row(row)

    def defer_indexes(self, models_):
        tables = [m._meta.db_table for m in models_]
        with self.connection.cursor() as cursor:
            # Foreign keys first (they may lean on a unique index), restored last.
            cursor.execute(
                """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
                   FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')
                   ORDER BY contype = 'f' DESC, conname""",
                [tables],
            )
            constraints = cursor.fetchall()
            for table, name, _definition, _kind in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                """SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                   WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                   ORDER BY c.relname""",
                [tables],
            )
            indexes = cursor.fetchall()
            for _table, name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        self.deferred = [(table, definition) for table, _name, definition in indexes]
        self.deferred += [
            (table, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for table, name, definition, kind in reversed(constraints)
            if kind == "u"
        ]
        self.deferred += [
            (table, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for table, name, definition, kind in constraints
            if kind == "f"
        ]

    def restore_indexes(self, report):
        """Indexes and unique constraints first, then foreign keys (validated against the rows)."""
        statements = self.deferred
        self.deferred = []
        first = [(t, sql) for t, sql in statements if "FOREIGN KEY" not in sql]
        self._run_side_by_side(first, report, setup="SET maintenance_work_mem = '512MB'")
        self._run_side_by_side([(t, sql) for t, sql in statements if "FOREIGN KEY" in sql], report)

    def analyse(self, models_, report):
        # VACUUM sets the visibility map (index-only scans) and hint bits once, now, rather
        # than on the benchmark's first reads. It cannot run inside a transaction (a test's),
        # where statistics alone will do.
        verb = "ANALYZE" if self.connection.in_atomic_block else "VACUUM (ANALYZE)"
        self._run_side_by_side([(m._meta.db_table, f'{verb} "{m._meta.db_table}"') for m in models_], report)

    def _run_side_by_side(self, work: list, report, setup: str = "") -> None:
        """Run statements on three connections at once, the biggest tables first: PostgreSQL
        builds each index on one or two CPUs, and small tables fill the gaps. Inside a
        transaction (the tests) they run one by one on this connection."""
        from django.db import connections

        work = sorted(work, key=lambda item: -self.counts.get(item[0], 0))

        def run(items, connection):
            with connection.cursor() as cursor:
                if setup:
                    cursor.execute(setup)
                for table, statement in items:
                    started = time.perf_counter()
                    cursor.execute(statement)
                    report.index_time(table, time.perf_counter() - started)

        if self.connection.in_atomic_block:
            run(work, self.connection)
            return
        queue = list(reversed(work))
        lock = threading.Lock()
        failures = []

        def worker():
            connection = connections.create_connection("default")  # one of its own per thread
            try:
                while not failures:
                    with lock:
                        if not queue:
                            return
                        item = queue.pop()
                    run([item], connection)
            except Exception as error:  # noqa: BLE001 - re-raised below, in the calling thread
                failures.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]


def writer_for(connection) -> Writer:
    if connection.vendor == "postgresql":
        return PostgresWriter(connection)
    if connection.vendor == "sqlite":
        return SQLiteWriter(connection)
    raise NotImplementedError(f"generate_data does not know how to load {connection.vendor}")
