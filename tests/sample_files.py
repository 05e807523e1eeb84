"""Small files of every type the documents accept, and look-alikes they refuse."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/"/>'


def archive(members: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for index, (name, data) in enumerate(members):
            kind = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            target.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


DOCX = archive([("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", b"<w:document/>")])
XLSX = archive([("[Content_Types].xml", CONTENT_TYPES), ("xl/workbook.xml", b"<workbook/>")])
ODT = archive(
    [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<office/>")],
    stored_first=True,
)
#: refused: a program, a web page, a drawing that can carry scripts, a plain archive, an
#: OpenDocument spreadsheet, an archive claiming to be Word without its content types
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
ZIP = archive([("notes.txt", b"hello")])
ODS = archive(
    [("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<a/>")],
    stored_first=True,
)
FAKE_DOCX = archive([("word/document.xml", b"<w:document/>")])
