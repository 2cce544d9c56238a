"""The real type of a file is judged from its content; names and browsers are not trusted."""

import io

import pytest

from roundtable.documents.sniffing import ALLOWED_SENTENCE, FileTypeProblem, check_upload
from tests.documents import samples


@pytest.mark.parametrize("key", sorted(samples.ALLOWED))
def test_each_allowed_kind_is_accepted_from_its_content(key):
    name, content = samples.ALLOWED[key]
    assert check_upload(name, io.BytesIO(content)).key == key


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(FileTypeProblem) as caught:
        check_upload(name, io.BytesIO(content))
    return str(caught.value)


def test_a_windows_program_renamed_to_pdf_is_refused():
    assert refusal("report.pdf", samples.WINDOWS_PROGRAM) == (
        "report.pdf is not a PDF: its content is a Windows program. " + ALLOWED_SENTENCE
    )


def test_a_linux_program_renamed_to_pdf_is_refused():
    assert refusal("report.pdf", samples.LINUX_PROGRAM) == (
        "report.pdf is not a PDF: its content is a Linux program. " + ALLOWED_SENTENCE
    )


def test_a_windows_program_renamed_to_a_recording_is_refused():
    assert "its content is a Windows program" in refusal("interview.mp3", samples.WINDOWS_PROGRAM)


def test_an_allowed_type_under_the_wrong_extension_is_refused_with_the_right_one_named():
    _, png = samples.ALLOWED["png"]
    assert refusal("photo.jpg", png) == (
        "photo.jpg is not a JPEG image: its content is a PNG image. Rename it to end in .png and upload it again."
    )


def test_a_disallowed_extension_is_refused():
    assert refusal("setup.exe", samples.WINDOWS_PROGRAM) == (
        "setup.exe cannot be uploaded: .exe files are not allowed. " + ALLOWED_SENTENCE
    )


def test_a_file_without_an_extension_is_refused():
    assert refusal("notes", b"hello") == (
        "notes cannot be uploaded: the file name has no extension. " + ALLOWED_SENTENCE
    )


def test_a_web_page_posing_as_a_pdf_is_refused():
    assert refusal("letter.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>") == (
        "letter.pdf is not a PDF: its content is a web page (HTML). " + ALLOWED_SENTENCE
    )


def test_an_svg_posing_as_a_png_is_refused():
    content = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
    assert "its content is an SVG image, which can contain scripts" in refusal("logo.png", content)


def test_a_plain_zip_posing_as_a_word_document_is_refused():
    content = samples._zip({"readme.txt": b"hello"})
    assert refusal("report.docx", content) == (
        "report.docx is not a Word document: its content is a ZIP archive. " + ALLOWED_SENTENCE
    )


def test_a_word_document_with_macros_is_refused():
    content = samples.ooxml("application/vnd.ms-word.document.macroEnabled.main+xml")
    assert "its content is an Office file with macros" in refusal("report.docx", content)


def test_an_installer_compound_file_posing_as_a_word_document_is_refused():
    content = samples.compound_file("\x05SummaryInformation", "Binary")
    assert "(it may be an installer)" in refusal("report.doc", content)


def test_a_spreadsheet_named_as_a_word_document_is_refused():
    _, xlsx = samples.ALLOWED["xlsx"]
    assert refusal("report.docx", xlsx) == (
        "report.docx is not a Word document: its content is an Excel spreadsheet. "
        "Rename it to end in .xlsx and upload it again."
    )


def test_text_of_no_recognisable_type_is_refused():
    assert refusal("notes.pdf", b"just some words") == (
        "notes.pdf is not a PDF: its content is not a type we recognise. " + ALLOWED_SENTENCE
    )


def test_a_quicktime_video_named_mp4_is_refused():
    assert "its content is a QuickTime video" in refusal("clip.mp4", samples.iso_media(b"qt  ", b"qt  "))


def test_an_m4a_recording_with_an_mp4_brand_is_accepted():
    assert check_upload("memo.m4a", io.BytesIO(samples.ALLOWED["mp4"][1])).key == "m4a"
