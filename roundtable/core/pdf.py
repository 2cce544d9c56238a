"""PDF documents that can be printed, filed and put before a court: the case summary now,
panel minutes later.

A thin layer over fpdf2 (pure Python; WeasyPrint needs Pango, which these machines lack).
Callers say *what* goes on the page — headings, paragraphs, label–value lists, tables,
boxed notices — and this module decides how it looks, so every Roundtable PDF has the same
protective marking at the top and bottom of each page, the same "Page 3 of 12" footer with
the document's reference, and the same font.

Text: any name or note users can type must render, never crash. The font is DejaVu Sans,
installed from npm (dejavu-fonts-ttf) by make; see docs/decisions/0006-pdf-generation.md. It covers
Latin (including Vietnamese and Polish), Greek, Cyrillic, Arabic and Hebrew. Arabic and other
joined or right-to-left scripts are shaped with HarfBuzz (uharfbuzz) when it is installed.
A character the font cannot draw (Chinese, emoji, …) is printed as its code point,
"[U+4E2D]", rather than silently left out: a document for a court must not drop letters of
a name without saying so.

    doc = PdfDocument(title="Case summary", reference="RT-2026-000123")
    doc.cover("Case summary", [("Reference", "RT-2026-000123"), ("Person", "Zoë Łukasiewicz")])
    doc.heading("Chronology")
    doc.paragraph("Home visit …")
    rendered = doc.render()   # Rendered(content=b"%PDF-…", pages=12)
"""

import importlib.util
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableCellFillMode, XPos, YPos

OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# fpdf2 logs the characters a font lacks, and those may be letters of a person's name:
# personal data never goes to the logs. ``clean`` replaces them before fpdf2 sees them anyway.
logging.getLogger("fpdf").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Sizes in points and millimetres (A4: 210 × 297 mm).
MARGIN = 18
BODY_SIZE = 10
SMALL_SIZE = 8.5
HEADING_SIZES = {1: 16, 2: 13, 3: 11}
LINE = 5.0  # line height for body text, mm
MUTED = (80, 80, 80)
BLACK = (11, 12, 12)
RULE = (177, 180, 182)
NOTICE_FILL = (243, 242, 241)
# Characters kept even though they draw nothing: line breaks and the joiners and direction
# marks that shape Arabic and other scripts.
KEEP = {"\n", "\u200c", "\u200d", "\u200e", "\u200f"}
# A table cell is for a short value; longer text belongs in a paragraph or a label–value
# list, which flow across pages. fpdf2 refuses a table row taller than a page.
TABLE_CELL_MAX = 400


@dataclass(frozen=True)
class Rendered:
    content: bytes
    pages: int


def font_paths() -> dict[str, Path]:
    """The regular and bold font files, or a clear error naming what is missing."""
    font_dir = Path(settings.PDF_FONT_DIR)
    paths = {style: font_dir / name for style, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"PDF font files are missing: {', '.join(missing)}. They come from the npm package "
            "dejavu-fonts-ttf (run `make install`), or set PDF_FONT_DIR to a folder holding DejaVuSans.ttf "
            "and DejaVuSans-Bold.ttf (Debian: apt-get install fonts-dejavu-core puts them in "
            "/usr/share/fonts/truetype/dejavu)."
        )
    return paths


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Every character both the regular and the bold font can draw."""
    from fontTools.ttLib import TTFont

    covered = None
    for path in font_paths().values():
        with TTFont(path, lazy=True) as font:
            points = set(font.getBestCmap())
        covered = points if covered is None else covered & points
    return frozenset(covered or ())


@lru_cache(maxsize=1)
def shaping_available() -> bool:
    return importlib.util.find_spec("uharfbuzz") is not None


def needs_shaping(text: str) -> bool:
    """True when plain left-to-right, one-glyph-per-character drawing would get it wrong."""
    return any(
        ord(char) >= 0x0300
        and (unicodedata.bidirectional(char) in ("R", "AL", "AN") or unicodedata.combining(char) or char in KEEP)
        for char in text
    )


def clean(text) -> str:
    """Text as it can safely be drawn: normalised, without control characters, and with any
    character the font lacks shown as its code point."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    covered = covered_codepoints()
    out = []
    for char in text:
        if char in KEEP or ord(char) in covered:
            out.append(char)
        elif unicodedata.category(char).startswith("C"):
            continue  # controls, unassigned, private use, lone surrogates: nothing to show
        else:
            out.append(f"[U+{ord(char):04X}]")
    return "".join(out)


class _Pages(FPDF):
    """fpdf2 with Roundtable's running header and footer."""

    def __init__(self, document: "PdfDocument"):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document

    def header(self):
        doc = self.document
        self.set_y(8)
        self.set_font(FONT_FAMILY, "B", 9)
        self.set_text_color(*BLACK)
        self.cell(0, 5, doc.marking, align=Align.C)
        if doc.reference:
            self.set_xy(MARGIN, 8)
            self.set_font(FONT_FAMILY, "", SMALL_SIZE)
            self.cell(0, 5, doc.reference, align=Align.R)
        self.set_draw_color(*RULE)
        self.line(MARGIN, 14, self.w - MARGIN, 14)
        self.set_y(MARGIN)
        self.set_font(FONT_FAMILY, "", BODY_SIZE)

    def footer(self):
        """Nothing while the pages are laid out: ``PdfDocument.render`` draws every footer once
        the page total is known (see ``draw_footers``)."""

    def draw_footers(self) -> None:
        """The running footer on every page, "Page 3 of 2,753" with the real total.

        fpdf2's "{nb}" alias reserves room for three digits when each footer is drawn, so a
        longer total overflowed it; going back to each page after layout needs no reserved
        room at all, and a user's text that happens to read "{nb}" stays as typed."""
        doc = self.document
        total = self.pages_count
        self.set_auto_page_break(False)
        for number in range(1, total + 1):
            self.page = number
            self.current_font_is_set_on_page = False  # each page's content stream sets its own font
            self.set_y(-14)
            self.set_draw_color(*RULE)
            self.line(MARGIN, self.get_y() - 1, self.w - MARGIN, self.get_y() - 1)
            self.set_text_color(*BLACK)
            self.set_font(FONT_FAMILY, "", SMALL_SIZE)
            self.set_x(MARGIN)
            self.cell(0, 5, doc.reference or doc.title)
            self.set_x(MARGIN)
            self.set_font(FONT_FAMILY, "B", SMALL_SIZE)
            self.cell(0, 5, doc.marking, align=Align.C)
            self.set_x(MARGIN)
            self.set_font(FONT_FAMILY, "", SMALL_SIZE)
            self.cell(0, 5, f"Page {number:,} of {total:,}", align=Align.R)


class PdfDocument:
    """One PDF, built top to bottom. Every text argument goes through ``clean``."""

    def __init__(
        self,
        *,
        title: str,
        reference: str = "",
        marking: str = OFFICIAL_SENSITIVE,
        author: str = "",
        subject: str = "",
        created_at: datetime | None = None,
    ):
        self.title = clean(title)
        self.reference = clean(reference)
        self.marking = clean(marking)
        pdf = _Pages(self)
        for style, path in font_paths().items():
            pdf.add_font(FONT_FAMILY, style, str(path))
        self._shaping = False
        pdf.alias_nb_pages(None)  # footers are drawn with the real total (see draw_footers)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=20)
        pdf.set_title(self.title)
        pdf.set_author(clean(author))
        pdf.set_subject(clean(subject))
        pdf.set_creator("Roundtable")
        pdf.set_lang("en-GB")
        pdf.set_creation_date(created_at or timezone.now())
        pdf.set_text_color(*BLACK)
        pdf.add_page()
        self.pdf = pdf

    # --- Layout helpers -----------------------------------------------------------------------
    @property
    def width(self) -> float:
        return self.pdf.w - 2 * MARGIN

    def _font(self, size: float = BODY_SIZE, bold: bool = False, muted: bool = False) -> None:
        self.pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
        self.pdf.set_text_color(*(MUTED if muted else BLACK))

    def _keep_room(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one (keeps a heading with its text)."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page()

    def _shape(self, text: str) -> None:
        """Shape text with HarfBuzz only where it needs it (joined or right-to-left scripts,
        combining marks): fpdf2 re-shapes a line for every character it adds, so shaping plain
        Latin text costs twenty times as long for nothing."""
        wanted = needs_shaping(text) and shaping_available()
        if wanted != self._shaping:
            self.pdf.set_text_shaping(wanted)
            self._shaping = wanted

    def _multi_cell(self, width: float, height: float, text: str, **kwargs) -> None:
        if kwargs or (needs_shaping(text) and shaping_available()):
            # Boxed notices and shaped scripts: fpdf2's own line breaking (rare, and short).
            self._shape(text)
            kwargs.setdefault("align", Align.L)
            self.pdf.multi_cell(width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kwargs)
            return
        self._shape("")
        pdf = self.pdf
        x = pdf.get_x()
        if width == 0:
            width = pdf.w - pdf.r_margin - x
        for line in self._lines(text, width - 2 * pdf.c_margin):
            pdf.set_x(x)
            pdf.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _measure(self):
        """A function giving a string's width in mm in the current font. Straight from the
        font's width table (what fpdf2 sums itself): get_string_width costs 70 µs a call, as it
        copies the graphics state each time."""
        pdf = self.pdf
        widths = getattr(pdf.current_font, "cw", None)
        if widths is None or pdf.char_spacing or pdf.font_stretching != 100:
            return pdf.get_string_width
        scale = pdf.font_size_pt * 0.001 / pdf.k
        return lambda text: sum(widths[ord(char)] for char in text) * scale

    def _lines(self, text: str, room: float) -> list[str]:
        """``text`` broken at spaces into lines at most ``room`` mm wide in the current font;
        a word wider than a line is split between letters.

        Why not fpdf2's multi_cell: it re-measures the whole line for every character it adds
        (quadratic in the line's length), which made a long chronology take 7 ms an entry.
        Measuring each word once keeps this linear."""
        measure = self._measure()
        space = measure(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used, started = "", 0.0, False
            for word in paragraph.split(" "):
                size = measure(word) if word else 0.0
                gap = space if started else 0.0
                if used + gap + size <= room:
                    line = line + " " + word if started else word
                    used, started = used + gap + size, True
                    continue
                if not word:
                    continue  # spaces where the line breaks are not carried to the next line
                if line.strip():
                    lines.append(line.rstrip())
                while size > room:  # a very long word (a link, a reference): split it
                    taken, width = 0, 0.0
                    while taken < len(word) and width + measure(word[taken]) <= room:
                        width += measure(word[taken])
                        taken += 1
                    taken = max(taken, 1)
                    lines.append(word[:taken])
                    word = word[taken:]
                    size = measure(word)
                line, used, started = word, size, True
            lines.append(line.rstrip())
        return lines

    def _cell(self, width: float, height: float, text: str, **kwargs) -> None:
        self._shape(text)
        self.pdf.cell(width, height, text, **kwargs)

    def _write(self, text: str, *, width: float = 0, height: float = LINE, **kwargs) -> None:
        self._multi_cell(width, height, text, **kwargs)

    # --- Content --------------------------------------------------------------------------------
    def page_break(self) -> None:
        self.pdf.add_page()

    def spacer(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def rule(self) -> None:
        y = self.pdf.get_y() + 1
        self.pdf.set_draw_color(*RULE)
        self.pdf.line(MARGIN, y, self.pdf.w - MARGIN, y)
        self.pdf.set_y(y + 2)

    def heading(self, text: str, level: int = 1) -> None:
        size = HEADING_SIZES.get(level, HEADING_SIZES[3])
        self._keep_room(size * 0.5 + 3 * LINE)
        if level == 1 and self.pdf.get_y() > MARGIN + 1:
            self.spacer(4)
        self._font(size, bold=True)
        self._write(clean(text), height=size * 0.5)
        self.spacer(1.5 if level > 1 else 2.5)
        self._font()

    def paragraph(self, text: str, *, bold: bool = False, small: bool = False, muted: bool = False) -> None:
        text = clean(text).strip("\n")
        if not text:
            return
        size = SMALL_SIZE if small else BODY_SIZE
        self._font(size, bold=bold, muted=muted)
        self._write(text, height=LINE * size / BODY_SIZE)
        self.spacer(1.5)
        self._font()

    def bullets(self, items: Iterable[str]) -> None:
        self._font()
        for item in items:
            self.pdf.set_x(MARGIN)
            self._cell(5, LINE, "•")
            self._multi_cell(self.width - 5, LINE, clean(item))
        self.spacer(1.5)

    def notice(self, text: str) -> None:
        """A boxed, shaded paragraph: something withheld, a warning, a handling instruction."""
        self._font()
        self.pdf.set_fill_color(*NOTICE_FILL)
        self.pdf.set_draw_color(*RULE)
        self._write(clean(text), border=1, fill=True, padding=2)
        self.spacer(2)

    def key_values(self, rows: Sequence[tuple[str, object]], *, key_width: float = 50) -> None:
        """Label–value pairs in two columns; a long value flows on to the next page."""
        pdf = self.pdf
        for key, value in rows:
            value = clean(value if value not in (None, "") else "–")
            self._keep_room(LINE * 2)
            start_page, start_y = pdf.page, pdf.get_y()
            self._font(bold=True)
            pdf.set_x(MARGIN)
            self._multi_cell(key_width - 3, LINE, clean(key))
            key_page, key_end = pdf.page, pdf.get_y()
            if key_page != start_page:  # a very long label: carry on below it
                start_y = pdf.get_y()
            pdf.set_xy(MARGIN + key_width, start_y)
            self._font()
            self._multi_cell(self.width - key_width, LINE, value)
            if pdf.page == key_page:
                pdf.set_y(max(pdf.get_y(), key_end))
            pdf.ln(1)
        self.spacer(1)

    def table(self, headings: Sequence[str], rows: Iterable[Sequence[object]], *, widths=None) -> None:
        """A table of short values with a repeated heading row (long text: use key_values)."""
        rows = [[_cell(value) for value in row] for row in rows]
        if not rows:
            return
        self._shape(" ".join(headings) + " ".join(" ".join(row) for row in rows))
        self._font(SMALL_SIZE)
        heading_style = FontFace(emphasis="BOLD", fill_color=NOTICE_FILL)
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_fill_color(255, 255, 255)
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            headings_style=heading_style,
            line_height=LINE * SMALL_SIZE / BODY_SIZE + 0.3,
            text_align="LEFT",
            padding=1.2,
            cell_fill_mode=TableCellFillMode.NONE,
        ) as table:
            heading = table.row()
            for text in headings:
                heading.cell(clean(text))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.spacer(3)
        self._font()

    def cover(self, title: str, rows: Sequence[tuple[str, object]], *, subtitle: str = "", notice: str = "") -> None:
        """A title page: the title, what the document is about, and a handling notice."""
        self.spacer(20)
        self._font(22, bold=True)
        self._write(clean(title), height=10)
        if subtitle:
            self._font(13, muted=True)
            self._write(clean(subtitle), height=7)
        self.spacer(8)
        self.key_values(rows, key_width=55)
        if notice:
            self.spacer(6)
            self.notice(notice)

    # --- Output -----------------------------------------------------------------------------------
    def render(self) -> Rendered:
        self.pdf.draw_footers()
        content = bytes(self.pdf.output())
        return Rendered(content=content, pages=self.pdf.pages_count)


def _cell(value) -> str:
    text = clean(value if value not in (None, "") else "–")
    if len(text) > TABLE_CELL_MAX:
        text = text[: TABLE_CELL_MAX - 1].rstrip() + "…"
    return text
