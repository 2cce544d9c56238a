"""Template comments stay out of the pages. Django's ``{# … #}`` comment must open and close on
one line; one that spans lines is not a comment at all, and its text is printed on every page
that includes the template (as the form-definition error summary once did)."""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string

ROOT = Path(settings.BASE_DIR)


def _template_files():
    folders = [Path(folder) for folder in engines["django"].engine.dirs]
    folders += sorted((ROOT / "roundtable").glob("*/templates"))
    for folder in folders:
        yield from sorted(folder.rglob("*.html"))


def test_no_template_has_a_comment_that_would_be_printed_on_the_page():
    checked, printed = 0, []
    for path in _template_files():
        checked += 1
        for token in Lexer(path.read_text()).tokenize():
            if token.token_type == TokenType.TEXT and "{#" in token.contents:
                printed.append(f"{path.relative_to(ROOT)} line {token.lineno}")
    assert checked > 50, "the templates were not found"
    assert not printed, "A {# #} comment spans lines (use {% comment %}) in: " + ", ".join(printed)


def test_the_form_definition_error_summary_prints_only_the_problems():
    html = render_to_string("forms/error_items_summary.html", {"error_items": [("#f-records", "Enter records")]})
    assert "There is a problem" in html and '<a href="#f-records">Enter records</a>' in html
    assert "error_items" not in html and "{#" not in html
    assert render_to_string("forms/error_items_summary.html", {"error_items": []}).strip() == ""
