"""Text out of plain text, DOCX and PDF files, as a list of lines (pure Python).

Plain text and DOCX keep one paragraph per line. PDF text comes out wrapped at the page width,
so its lines are marked `wrapped` and the parser joins continuation lines back together.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ParseError, _

_DOCX_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class SourceText:
    lines: list[str]
    wrapped: bool  # PDF: lines are broken at the page width
    fmt: str  # "text", "docx" or "pdf"


def detect_format(name: str, data: bytes) -> str:
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:2] == b"PK":
        return "docx"
    suffix = Path(name).suffix.lower()
    if suffix in (".pdf",):
        return "pdf"
    if suffix in (".docx",):
        return "docx"
    return "text"


def read_source(name: str, data: bytes) -> SourceText:
    fmt = detect_format(name, data)
    if fmt == "pdf":
        return SourceText(_pdf_lines(data), wrapped=True, fmt=fmt)
    if fmt == "docx":
        return SourceText(_docx_lines(data), wrapped=False, fmt=fmt)
    return SourceText(_text_lines(data), wrapped=False, fmt=fmt)


def _text_lines(data: bytes) -> list[str]:
    if b"\x00" in data:
        raise ParseError(_("The file is not a text, DOCX or PDF document."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Documents saved from older Windows word processors.
        text = data.decode("cp1252", errors="replace")
    return text.splitlines()


def _docx_lines(data: bytes) -> list[str]:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken or foreign ZIP: python-docx raises many kinds
        raise ParseError(
            _("The DOCX file could not be read: it is damaged or not a DOCX.")
        ) from exc
    lines: list[str] = []
    # Word's automatic numbering is not part of the text: count it back in, per list level,
    # so "1." paragraphs and "(a)" sub-items come out as a reader sees them.
    counters: dict[int, int] = {}
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        level = _numbering_level(para)
        if level is not None and not re.match(r"^(\d+\.|\([a-z]\))\s", text):
            counters[level] = counters.get(level, 0) + 1
            for deeper in [k for k in counters if k > level]:
                counters[deeper] = 0
            n = counters[level]
            text = f"{n}. {text}" if level == 0 else f"({_letter(n)}) {text}"
        lines.append(text)
    return lines


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26)


def _numbering_level(para: object) -> int | None:
    p_pr = para._p.pPr  # type: ignore[attr-defined]
    if p_pr is None:
        return None
    num_pr = p_pr.find(f"{_DOCX_NS}numPr")
    if num_pr is None:
        return None
    ilvl = num_pr.find(f"{_DOCX_NS}ilvl")
    try:
        return int(ilvl.get(f"{_DOCX_NS}val")) if ilvl is not None else 0
    except (TypeError, ValueError):
        return 0


def _pdf_lines(data: bytes) -> list[str]:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds for damaged files
        raise ParseError(_("The PDF file could not be read: it is damaged or encrypted.")) from exc
    if not "".join(pages).strip():
        raise ParseError(
            _(
                "The PDF has no text layer: it looks like a scanned image. Run it through "
                "text recognition (OCR) or upload the DOCX or text version."
            )
        )
    lines: list[str] = []
    for page in pages:
        lines.extend(_strip_page_furniture(page.splitlines()))
    return lines


_FURNITURE = re.compile(
    r"^(\d{1,3}|GE\.\d{2}-\d+.*|Page \d+.*|Página \d+.*|Advance unedited version|"
    r"Versión avanzada sin editar)$"
)


def _strip_page_furniture(lines: list[str]) -> list[str]:
    """Page numbers and job numbers repeat on every page and are not part of the text."""
    return [line for line in lines if not _FURNITURE.match(line.strip())]
