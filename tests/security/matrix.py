"""The permission matrix: for every URL pattern and API route, what each role gets.

A route missing here fails ``test_every_route_is_in_the_matrix``. Rows name who is
allowed; everyone else signed in gets ``denied`` (404 for anything that could reveal
that an object exists). Anonymous visitors are sent to sign in (pages) or get 401 (API).

Each domain keeps its rows in its own module (matrix_<app>.py) with a ``build(world)``
that adds the objects its rows need to the shared test world.
"""

from tests.security import (
    matrix_accounts,
    matrix_cases,
    matrix_documents,
    matrix_formbuilder,
    matrix_people,
    matrix_tasks,
)

DOMAINS = [matrix_accounts, matrix_people, matrix_cases, matrix_tasks, matrix_documents, matrix_formbuilder]

MATRIX = {}
for _domain in DOMAINS:
    overlap = set(MATRIX) & set(_domain.ROWS)
    assert not overlap, f"Routes in two matrix modules: {overlap}"
    MATRIX.update(_domain.ROWS)
