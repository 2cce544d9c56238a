"""Permission matrix rows for the documents app (see matrix.py)."""

from tests.security.rows import Row

ROWS: dict[str, Row] = {}


def build(world):
    """Add the objects these rows need to the shared test world."""
