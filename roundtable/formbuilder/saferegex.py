"""Regular expressions an administrator types into a question's "pattern" rule.

Python's ``re`` has no timeout, so a pattern such as ``(a+)+$`` could pin a worker for
minutes on a 30-character answer (catastrophic backtracking). We refuse, when the form is
saved or imported, any pattern whose structure can backtrack badly, and we never run a
pattern on more than ``MAX_SUBJECT`` characters. What is refused:

- nested repetition (a repeated group that contains another repetition): ``(a+)+``, ``(\\w*\\s?)*``;
- alternation inside a wide repetition, unless each branch is one character: ``(a|ab)*``;
- back-references and conditionals (``\\1``, ``(?(1)…)``), which make matching exponential;
- more than two wide repetitions in the whole pattern (``.*.*.*`` is polynomial but slow);
- patterns longer than ``MAX_PATTERN`` characters.

A "wide" repetition is one that may repeat more than ``WIDE`` times (``*``, ``+``, ``{2,}``, ``{1,50}``).
With at most two of them, none nested, matching is at worst quadratic in the answer's
length, and answers checked by a pattern are at most ``MAX_SUBJECT`` characters.
"""

import re

try:  # Python 3.11+: the parser moved under re.
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_PATTERN = 200
MAX_SUBJECT = 500
WIDE = 10
MAX_WIDE_REPEATS = 2

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)}
_SUBPATTERN = sre_constants.SUBPATTERN
_BRANCH = sre_constants.BRANCH
_SINGLE_CHAR = {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY}
_REFUSED = {
    sre_constants.GROUPREF: "refers back to an earlier group (\\1)",
    sre_constants.GROUPREF_EXISTS: "uses a conditional group",
}


class UnsafePattern(ValueError):
    """Why a pattern is refused, in words for an administrator."""


def _is_single_char(items) -> bool:
    return len(items) == 1 and items[0][0] in _SINGLE_CHAR


def _walk(items, state: dict, inside_repeat: bool, inside_wide: bool) -> None:
    for op, value in items:
        if op in _REFUSED:
            raise UnsafePattern(f"it {_REFUSED[op]}, which can make checking an answer very slow")
        if op in _REPEATS and op is not None:
            low, high, body = value
            wide = high == sre_constants.MAXREPEAT or high > WIDE
            if inside_repeat and (wide or inside_wide):
                raise UnsafePattern(
                    "it repeats something that itself repeats (like (a+)+), which can make checking an answer very slow"
                )
            if wide:
                state["wide"] += 1
                if state["wide"] > MAX_WIDE_REPEATS:
                    raise UnsafePattern(f"it has more than {MAX_WIDE_REPEATS} open-ended repetitions (*, + or {{n,}})")
            _walk(body, state, True, inside_wide or wide)
        elif op == _SUBPATTERN:
            _walk(value[-1], state, inside_repeat, inside_wide)
        elif op == _BRANCH:
            branches = value[1]
            if inside_wide and not all(_is_single_char(list(branch)) for branch in branches):
                raise UnsafePattern(
                    "it repeats a choice between alternatives (like (a|ab)*), "
                    "which can make checking an answer very slow"
                )
            for branch in branches:
                _walk(branch, state, inside_repeat, inside_wide)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            _walk(value[1], state, inside_repeat, inside_wide)
        elif op == getattr(sre_constants, "ATOMIC_GROUP", object()):
            _walk(value, state, inside_repeat, inside_wide)


def check_pattern(pattern: object) -> re.Pattern:
    """Compile ``pattern`` if it is safe to run on answers; otherwise raise UnsafePattern."""
    if not isinstance(pattern, str) or not pattern:
        raise UnsafePattern("it is empty or not text")
    if len(pattern) > MAX_PATTERN:
        raise UnsafePattern(f"it is longer than {MAX_PATTERN} characters")
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise UnsafePattern(f"it is not a valid regular expression ({exc})") from None
    try:
        _walk(list(parsed), {"wide": 0}, False, False)
    except RecursionError:
        raise UnsafePattern("it is nested too deeply") from None
    return compiled


def matches(pattern: str, subject: str) -> bool:
    """Whether the whole of ``subject`` matches. Only call with a pattern check_pattern accepted."""
    return re.fullmatch(pattern, subject[:MAX_SUBJECT]) is not None
