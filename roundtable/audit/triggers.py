"""The audit table is append-only: see roundtable/core/append_only.py."""

from roundtable.core import append_only

TABLE = "audit_auditevent"


def install(connection) -> None:
    append_only.install(connection, TABLE)


def drop(connection) -> None:
    """Only for test-database teardown and the tamper test; never called by the application."""
    append_only.drop(connection, TABLE)
