"""Small crafted files of every kind the documents app accepts or refuses, built in code."""

import io
import struct
import zipfile

from roundtable.documents.samples import tiny_pdf, tiny_png, tone_wav


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compress)
    return out.getvalue()


def ooxml(main_type: str) -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main_type}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types.encode(), "main.xml": b"<x/>"})


def odf(mimetype: str) -> bytes:
    return _zip({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"})


def compound_file(*stream_names: str) -> bytes:
    """A minimal OLE2 compound file (MS-CFB v3) whose directory names these streams."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<IIII", header, 0x3C, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [0xFFFFFFFF] * 126
    directory = bytearray(512)
    for index, name in enumerate(("Root Entry", *stream_names)[:4]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        offset = index * 128
        directory[offset : offset + len(encoded)] = encoded
        struct.pack_into("<H", directory, offset + 0x40, len(encoded))
        directory[offset + 0x42] = 5 if index == 0 else 2
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory)


def iso_media(brand: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + brand + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", len(body) + 4) + body + b"\x00\x00\x00\x08free" + b"\x00" * 64


WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"PE\x00\x00" + b"\x00" * 64
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100

OOXML = "application/vnd.openxmlformats-officedocument"
# (file name, content) for each allowed kind.
ALLOWED = {
    "pdf": ("minutes.pdf", tiny_pdf()),
    "docx": ("report.docx", ooxml(f"{OOXML}.wordprocessingml.document.main+xml")),
    "xlsx": ("figures.xlsx", ooxml(f"{OOXML}.spreadsheetml.sheet.main+xml")),
    "pptx": ("slides.pptx", ooxml(f"{OOXML}.presentationml.presentation.main+xml")),
    "doc": ("old-report.doc", compound_file("WordDocument", "\x05SummaryInformation")),
    "xls": ("old-figures.xls", compound_file("Workbook")),
    "ppt": ("old-slides.ppt", compound_file("PowerPoint Document", "Current User")),
    "odt": ("notes.odt", odf("application/vnd.oasis.opendocument.text")),
    "ods": ("sheet.ods", odf("application/vnd.oasis.opendocument.spreadsheet")),
    "odp": ("talk.odp", odf("application/vnd.oasis.opendocument.presentation")),
    "jpeg": ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 9),
    "png": ("sketch.png", tiny_png()),
    "gif": ("diagram.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
            b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"),
    "webp": ("picture.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24),
    "heic": ("phone-photo.heic", iso_media(b"heic", b"mif1", b"heic")),
    "mp3": ("call.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x00" + b"\x00" * 100),
    "m4a": ("voice-memo.m4a", iso_media(b"M4A ", b"M4A ", b"mp42", b"isom")),
    "wav": ("tone.wav", tone_wav(0.1)),
    "ogg": ("meeting.ogg", b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 40),
    "mp4": ("visit.mp4", iso_media(b"isom", b"isom", b"iso2", b"mp41")),
}  # fmt: skip
