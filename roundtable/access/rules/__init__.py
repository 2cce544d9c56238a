"""Rules and scopes, one module per domain. Importing this package registers them all."""

# ruff: noqa: I001 - one line per app, so helpers working side by side add theirs without clashing

from roundtable.access.rules import accounts, cases, documents, formbuilder, notifications, people, tasks  # noqa: F401
from roundtable.access.rules import panels  # noqa: F401,E402
from roundtable.access.rules import channel  # noqa: F401
from roundtable.access.rules import support  # noqa: F401
from roundtable.access.rules import inforequests  # noqa: F401,E402
from roundtable.access.rules import assessments  # noqa: F401,E402
from roundtable.access.rules import meetings  # noqa: F401,E402
from roundtable.access.rules import casesummary  # noqa: F401,E402
from roundtable.access.rules import meetings_live  # noqa: F401,E402
