"""What a file really is, judged by its content rather than its name or the browser's claim.

``check_upload(name, file)`` returns the allowed ``Kind`` or raises ``FileTypeProblem``
with a message for the person uploading. ZIP-based Office and ODF documents are told
apart by looking inside the archive; legacy Office files by the streams inside their
OLE2 compound file (so a Windows installer, also OLE2, is not taken for a Word file).
"""

import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import filetype

ALLOWED_SENTENCE = "Only PDF, Office, ODF, image, audio and MP4 video files can be uploaded."
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # "a PDF", used in "report.pdf is not a PDF"
    mime: str
    extensions: tuple[str, ...]
    category: str  # document, image, audio, video


KINDS = [
    Kind("pdf", "a PDF", "application/pdf", ("pdf",), "document"),
    Kind("docx", "a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ("docx",), "document"),
    Kind("xlsx", "an Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ("xlsx",), "document"),
    Kind("pptx", "a PowerPoint presentation",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",), "document"),
    Kind("doc", "a Word 97-2003 document", "application/msword", ("doc",), "document"),
    Kind("xls", "an Excel 97-2003 spreadsheet", "application/vnd.ms-excel", ("xls",), "document"),
    Kind("ppt", "a PowerPoint 97-2003 presentation", "application/vnd.ms-powerpoint", ("ppt",), "document"),
    Kind("odt", "an OpenDocument text document", "application/vnd.oasis.opendocument.text", ("odt",), "document"),
    Kind("ods", "an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",),
         "document"),
    Kind("odp", "an OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", ("odp",),
         "document"),
    Kind("jpeg", "a JPEG image", "image/jpeg", ("jpg", "jpeg"), "image"),
    Kind("png", "a PNG image", "image/png", ("png",), "image"),
    Kind("gif", "a GIF image", "image/gif", ("gif",), "image"),
    Kind("webp", "a WebP image", "image/webp", ("webp",), "image"),
    Kind("heic", "a HEIC photo", "image/heic", ("heic", "heif"), "image"),
    Kind("mp3", "an MP3 recording", "audio/mpeg", ("mp3",), "audio"),
    Kind("m4a", "an M4A recording", "audio/mp4", ("m4a",), "audio"),
    Kind("wav", "a WAV recording", "audio/wav", ("wav",), "audio"),
    Kind("ogg", "an Ogg recording", "audio/ogg", ("ogg", "oga", "opus"), "audio"),
    Kind("mp4", "an MP4 video", "video/mp4", ("mp4", "m4v"), "video"),
]  # fmt: skip
KIND_BY_KEY = {kind.key: kind for kind in KINDS}
KIND_BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
# Both are ISO base media files: a phone's .m4a may carry an MP4 brand and the reverse.
COMPATIBLE = {("m4a", "mp4"), ("mp4", "m4a")}

# Content we recognise but refuse, in words a practitioner understands.
DESCRIPTIONS = {
    "exe": "a Windows program",
    "elf": "a Linux program",
    "macho": "a macOS program",
    "script": "a script",
    "html": "a web page (HTML)",
    "svg": "an SVG image, which can contain scripts",
    "zip": "a ZIP archive",
    "ole": "a Windows compound file that is not a Word, Excel or PowerPoint file (it may be an installer)",
    "office_macro": "an Office file with macros",
    "msi": "a Windows installer",
    "empty": "empty",
    "unknown": "not a type we recognise",
}
FILETYPE_DESCRIPTIONS = {
    "exe": "exe",
    "elf": "elf",
    "wasm": "a WebAssembly program",
    "swf": "a Flash file",
    "crx": "a browser extension",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "gz": "a compressed archive",
    "tar": "a TAR archive",
    "bz2": "a compressed archive",
    "xz": "a compressed archive",
    "cab": "a Windows cabinet archive",
    "deb": "a software package",
    "rpm": "a software package",
    "rtf": "a Rich Text document",
    "ps": "a PostScript file",
    "sqlite": "a database file",
    "bmp": "a BMP image",
    "tif": "a TIFF image",
    "psd": "a Photoshop image",
    "ico": "an icon",
    "avif": "an AVIF image",
    "mov": "a QuickTime video",
    "avi": "an AVI video",
    "mkv": "a Matroska video",
    "webm": "a WebM video",
    "wmv": "a Windows Media video",
    "flac": "a FLAC recording",
    "aac": "an AAC recording",
    "amr": "an AMR recording",
    "3gp": "a 3GP video",
    "m4v": "m4v",
    "epub": "an e-book",
}


class FileTypeProblem(ValueError):
    """Why a file cannot be uploaded, in words for the person uploading it."""


@dataclass(frozen=True)
class Sniffed:
    kind: Kind | None  # an allowed kind, or None
    description: str  # what it is, for messages


def _allowed(key: str) -> Sniffed:
    kind = KIND_BY_KEY[key]
    return Sniffed(kind, kind.label)


def _refused(key: str) -> Sniffed:
    return Sniffed(None, DESCRIPTIONS.get(key, key))


def sniff(file: BinaryIO) -> Sniffed:
    """Look at the content of a seekable binary file (position is restored to 0)."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if not head:
        return _refused("empty")
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(file)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _sniff_ole(file)
    if head.startswith(b"MZ"):
        return _refused("exe")
    if head.startswith(b"\x7fELF"):
        return _refused("elf")
    if head[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):
        return _refused("macho")
    if head.startswith(b"#!"):
        return _refused("script")
    text_start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_start.startswith((b"<!doctype html", b"<html", b"<script", b"<head", b"<body")):
        return _refused("html")
    if b"<svg" in text_start[:1024]:
        return _refused("svg")
    guess = filetype.guess(head)
    if guess is None:
        if _is_mp3_frame(head):
            return _allowed("mp3")
        return _refused("unknown")
    return _from_filetype(guess.extension)


def _from_filetype(extension: str) -> Sniffed:
    direct = {"pdf": "pdf", "jpg": "jpeg", "png": "png", "gif": "gif", "webp": "webp", "heic": "heic",
              "mp3": "mp3", "m4a": "m4a", "wav": "wav", "ogg": "ogg", "mp4": "mp4", "m4v": "mp4"}  # fmt: skip
    if extension in direct:
        return _allowed(direct[extension])
    description = FILETYPE_DESCRIPTIONS.get(extension, f"a .{extension} file")
    return Sniffed(None, DESCRIPTIONS.get(description, description))


def _is_mp3_frame(head: bytes) -> bool:
    # An MP3 without an ID3 tag starts with a frame sync: 11 set bits, layer III.
    return len(head) > 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) == 0x02


# --- ZIP: OOXML and ODF ---------------------------------------------------------------------------
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}


def _sniff_zip(file: BinaryIO) -> Sniffed:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:200].decode("ascii", "replace").strip()
                if mimetype in ODF_MIMETYPES:
                    return _allowed(ODF_MIMETYPES[mimetype])
            if "[Content_Types].xml" in names:
                # The manifest is small; cap the read so a crafted archive cannot balloon memory.
                with archive.open("[Content_Types].xml") as manifest:
                    types = manifest.read(1_000_000).decode("utf-8", "replace")
                if "macroEnabled" in types or any(name.lower().endswith("vbaproject.bin") for name in names):
                    return _refused("office_macro")
                for content_type, key in OOXML_MAIN.items():
                    if content_type in types:
                        return _allowed(key)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return _refused("unknown")
    finally:
        file.seek(0)
    return _refused("zip")


# --- OLE2 compound files: legacy Office -----------------------------------------------------------
OLE_STREAMS = {"worddocument": "doc", "workbook": "xls", "book": "xls", "powerpoint document": "ppt"}
ENDOFCHAIN = 0xFFFFFFFE


def _sniff_ole(file: BinaryIO) -> Sniffed:
    try:
        names = _ole_root_names(file)
    except (struct.error, ValueError, OSError):
        return _refused("ole")
    finally:
        file.seek(0)
    lowered = {name.lower() for name in names}
    if "_vba_project_cur" in lowered or "macros" in lowered or "_vba_project" in lowered:
        return _refused("office_macro")
    for stream, key in OLE_STREAMS.items():
        if stream in lowered:
            return _allowed(key)
    return _refused("ole")


def _ole_root_names(file: BinaryIO, max_entries: int = 4096) -> list[str]:
    """Names in a compound file's directory (MS-CFB), read through the FAT. Enough to see
    which application wrote it; bounded so a malformed file cannot loop forever."""
    file.seek(0)
    header = file.read(512)
    if len(header) < 512:
        raise ValueError("short header")
    sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
    if sector_size not in (512, 4096):
        raise ValueError("bad sector size")
    first_dir_sector = struct.unpack_from("<I", header, 0x30)[0]
    difat = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < 0xFFFFFFFA]

    def read_sector(number: int) -> bytes:
        file.seek((number + 1) * sector_size)
        data = file.read(sector_size)
        if len(data) < sector_size:
            raise ValueError("truncated")
        return data

    fat: list[int] = []
    for sector in difat:
        fat.extend(struct.unpack(f"<{sector_size // 4}I", read_sector(sector)))
    names: list[str] = []
    sector, seen = first_dir_sector, set()
    while sector != ENDOFCHAIN and sector < len(fat) and sector not in seen and len(names) < max_entries:
        seen.add(sector)
        data = read_sector(sector)
        for offset in range(0, sector_size, 128):
            length = struct.unpack_from("<H", data, offset + 0x40)[0]
            if 2 <= length <= 64:
                names.append(data[offset : offset + length - 2].decode("utf-16-le", "replace"))
        sector = fat[sector]
    return names


# --- The check ---------------------------------------------------------------------------------------
def extension_of(name: str) -> str:
    suffix = PurePath(name).suffix
    return suffix[1:].lower() if suffix else ""


def check_upload(name: str, file: BinaryIO) -> Kind:
    """The allowed kind of ``file`` named ``name``, or FileTypeProblem saying why not."""
    extension = extension_of(name)
    expected = KIND_BY_EXTENSION.get(extension)
    if expected is None:
        what = f".{extension} files are not allowed" if extension else "the file name has no extension"
        raise FileTypeProblem(f"{name} cannot be uploaded: {what}. {ALLOWED_SENTENCE}")
    sniffed = sniff(file)
    if sniffed.kind is None:
        raise FileTypeProblem(
            f"{name} is not {expected.label}: its content is {sniffed.description}. {ALLOWED_SENTENCE}"
        )
    if sniffed.kind.key == expected.key:
        return expected
    if (expected.key, sniffed.kind.key) in COMPATIBLE:
        return expected
    raise FileTypeProblem(
        f"{name} is not {expected.label}: its content is {sniffed.description}. "
        f"Rename it to end in .{sniffed.kind.extensions[0]} and upload it again."
    )
