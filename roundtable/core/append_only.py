"""Database triggers that make a table append-only (no UPDATE, DELETE or TRUNCATE), on SQLite
and PostgreSQL: the audit log and the workflow history record what was done, and must not be
rewritten even by code that forgets the rule."""

# table -> (prefix of the trigger names, message). The audit names predate this module.
TABLES = {
    "audit_auditevent": ("audit_event", "audit events are append-only"),
    "panels_workflowevent": ("workflow_event", "workflow history is append-only"),
}


def _statements(vendor: str, table: str, install: bool) -> list[str]:
    prefix, message = TABLES[table]
    if vendor == "sqlite":
        if not install:
            return [f"DROP TRIGGER IF EXISTS {prefix}_no_update;", f"DROP TRIGGER IF EXISTS {prefix}_no_delete;"]
        return [
            f"CREATE TRIGGER IF NOT EXISTS {prefix}_no_{verb} BEFORE {verb.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            for verb in ("update", "delete")
        ]
    if vendor == "postgresql":
        drop = [
            f"DROP TRIGGER IF EXISTS {prefix}_no_change ON {table};",
            f"DROP TRIGGER IF EXISTS {prefix}_no_truncate ON {table};",
        ]
        if not install:
            return drop
        return [
            f"CREATE OR REPLACE FUNCTION {prefix}_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;",
            *drop,
            f"CREATE TRIGGER {prefix}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {prefix}_refuse_change();",
            f"CREATE TRIGGER {prefix}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_refuse_change();",
        ]
    raise NotImplementedError(f"No append-only triggers written for {vendor}")


def install(connection, table: str) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, table, install=True):
            cursor.execute(statement)


def drop(connection, table: str) -> None:
    """Only for migrations backwards, the test suite's flush between tests and tamper tests."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, table, install=False):
            cursor.execute(statement)
