"""What a file is, from its content: never from its name or the browser's content type.

Six types are accepted. PDF, PNG and JPEG by their signature; DOCX and XLSX are zip archives
with ``[Content_Types].xml`` and a ``word/`` or ``xl/`` part; ODT is a zip archive whose first
member is ``mimetype``, stored uncompressed, saying ``application/vnd.oasis.opendocument.text``.
Anything else — a program renamed ``.pdf``, HTML, SVG, a plain zip — is not a document here.
The archive is read from its table of contents only (its member names); nothing is unpacked
but the few bytes of ODT's ``mimetype``.
"""

from __future__ import annotations

import io
import zipfile

from exchange.documents.models import FileType

PDF_SIGNATURE = b"%PDF-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: members an office archive may have; more is not a document someone wrote
MAX_MEMBERS = 10_000


def sniff(data: bytes) -> FileType | None:
    """The type of ``data``, or None when it is none of the accepted ones."""
    if data.startswith(PDF_SIGNATURE):
        return FileType.PDF
    if data.startswith(PNG_SIGNATURE):
        return FileType.PNG
    if data.startswith(JPEG_SIGNATURE):
        return FileType.JPEG
    if data.startswith(ZIP_SIGNATURE):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if not members or len(members) > MAX_MEMBERS:
                return None
            first = members[0]
            if first.filename == "mimetype":
                if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
                    return None
                with archive.open(first) as part:
                    if part.read(101).strip() == ODT_MIMETYPE:
                        return FileType.ODT
                return None
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return FileType.DOCX
    if any(name.startswith("xl/") for name in names):
        return FileType.XLSX
    return None
