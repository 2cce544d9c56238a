"""The permission matrix: for every URL pattern and API route, what each role gets.

A route missing here fails ``test_every_route_is_in_the_matrix``. Rows name who is
allowed; everyone else signed in gets ``denied`` (404 for anything that could reveal
that an object exists). Anonymous visitors are sent to sign in (pages) or get 401 (API).

Each domain keeps its rows in its own module (matrix_<app>.py) with a ``build(world)``
that adds the objects its rows need to the test world (the cast of users per role).
"""

from tests.security import (
    matrix_accounts,
    matrix_assessments,
    matrix_cases,
    matrix_casesummary,
    matrix_channel,
    matrix_documents,
    matrix_formbuilder,
    matrix_inforequests,
    matrix_meetings,
    matrix_meetings_live,
    matrix_people,
    matrix_support,
    matrix_tasks,
)

DOMAINS = [matrix_accounts, matrix_people, matrix_cases, matrix_tasks, matrix_documents, matrix_formbuilder]
DOMAINS.append(matrix_assessments)
DOMAINS.append(matrix_support)
DOMAINS.append(matrix_channel)
DOMAINS.append(matrix_inforequests)
DOMAINS.append(matrix_casesummary)
DOMAINS.append(matrix_meetings)
DOMAINS.append(matrix_meetings_live)

MATRIX = {}
# Which domain's build() makes the objects a route's row needs: each test builds only that.
DOMAIN_OF = {}
for _domain in DOMAINS:
    overlap = set(MATRIX) & set(_domain.ROWS)
    assert not overlap, f"Routes in two matrix modules: {overlap}"
    MATRIX.update(_domain.ROWS)
    DOMAIN_OF.update(dict.fromkeys(_domain.ROWS, _domain))
