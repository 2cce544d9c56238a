"""The shared PDF renderer (roundtable/core/pdf.py): any name users can type renders, every
page carries the marking, the reference and "Page N of M", and long text flows on."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from roundtable.core import pdf
from tests.casesummary.conftest import pdf_pages, pdf_text

NAMES = ["Zoë Łukasiewicz", "محمد عبد الله", "Nguyễn Thị Minh Khai", "Siobhán Ó Súilleabháin", "Дмитрий Шостакович"]


def a_document(**kwargs) -> pdf.PdfDocument:
    return pdf.PdfDocument(title="Minutes", reference="RT-2026-000123", **kwargs)


def test_names_in_many_scripts_render_and_read_back_as_typed():
    doc = a_document()
    doc.heading("People")
    for name in NAMES:
        doc.paragraph(name)
    doc.key_values([("Person", name) for name in NAMES])
    doc.table(["Name", "Role"], [(name, "Member") for name in NAMES])
    doc.bullets(NAMES)
    text = pdf_text(doc.render().content)
    for name in NAMES:
        assert text.count(name) == 4, name


def test_a_character_the_font_lacks_is_shown_as_its_code_point_not_dropped():
    assert pdf.clean("王芳") == "[U+738B][U+82B3]"
    assert "Interpreter for [U+738B][U+82B3]" in pdf_text(_one_paragraph("Interpreter for 王芳"))


def test_control_characters_and_odd_line_endings_do_not_break_it():
    assert pdf.clean("a\x00b\x07c\r\nd\te") == "abc\nd    e"
    assert "abc" in pdf_text(_one_paragraph("a\x00b\x07c\r\n\ufeff\ud800"))


def test_every_page_has_the_marking_the_reference_and_page_n_of_m():
    doc = a_document()
    for i in range(120):
        doc.paragraph(f"Paragraph {i}: " + "words " * 60)
    rendered = doc.render()
    pages = pdf_pages(rendered.content)
    assert rendered.pages == len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert page.count("OFFICIAL-SENSITIVE") == 2 and "RT-2026-000123" in page


def test_a_value_longer_than_a_page_flows_on_and_a_long_table_cell_is_cut_short():
    doc = a_document()
    doc.key_values([("Evidence", "A long statement. " * 1500), ("After", "still here")])
    doc.table(["Title", "Detail"], [("Short", "x" * 5000)])
    rendered = doc.render()
    assert rendered.pages > 5
    text = pdf_text(rendered.content)
    assert "After still here" in text and "x" * pdf.TABLE_CELL_MAX not in text


def test_another_marking_can_be_given():
    doc = pdf.PdfDocument(title="Minutes", marking="OFFICIAL")
    page = pdf_pages(doc.render().content)[0]
    assert "OFFICIAL" in page and "SENSITIVE" not in page


def test_the_document_says_what_it_is_in_its_metadata():
    reader = PdfReader(io.BytesIO(a_document(author="Olga Owner").render().content))
    assert reader.metadata.title == "Minutes" and reader.metadata.author == "Olga Owner"


def test_missing_fonts_stop_with_a_message_saying_what_to_install(settings, tmp_path):
    settings.PDF_FONT_DIR = str(tmp_path)
    with pytest.raises(ImproperlyConfigured) as error:
        pdf.PdfDocument(title="Minutes")
    assert "DejaVuSans.ttf" in str(error.value) and "fonts-dejavu-core" in str(error.value)


def _one_paragraph(text: str) -> bytes:
    doc = a_document()
    doc.paragraph(text)
    return doc.render().content


def test_a_page_total_of_four_digits_is_drawn_whole_on_every_page(recwarn):
    doc = a_document()
    for _ in range(1000):
        doc.paragraph("A page of its own.")
        doc.page_break()
    rendered = doc.render()
    pages = pdf_pages(rendered.content)
    assert rendered.pages == len(pages) == 1001
    assert "Page 1 of 1,001" in pages[0] and "Page 1,001 of 1,001" in pages[-1]
    assert not [w for w in recwarn if "alias" in str(w.message)]  # fpdf2's "wider than the reserved alias width"


def test_text_that_reads_like_the_page_total_alias_is_printed_as_typed():
    assert "Meeting notes {nb} stay as typed" in pdf_text(_one_paragraph("Meeting notes {nb} stay as typed"))


def test_long_lines_wrap_at_spaces_and_a_word_longer_than_a_line_is_split_not_lost():
    words = " ".join(f"word{i}" for i in range(400))
    link = "https://example.org/" + "a" * 300
    doc = a_document()
    doc.paragraph(words)
    doc.key_values([("Link", link)])
    rendered = doc.render()
    assert words in pdf_text(rendered.content)
    assert link in "".join(pdf_text(rendered.content).split())
