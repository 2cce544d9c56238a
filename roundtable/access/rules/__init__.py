"""Rules and scopes, one module per domain. Importing this package registers them all."""

from roundtable.access.rules import accounts, cases, documents, formbuilder, notifications, people, tasks  # noqa: F401
