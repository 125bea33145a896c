"""Reading the rows of a CSV or XLSX file, whatever the encoding and delimiter.

Every problem with the file itself (not UTF-8 nor Windows-1252, no known header, missing or
unknown columns, several sheets, unreadable XLSX) raises FileRefused with a message for the
person who sent it; problems of one row are yielded with the row, for the row's report.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
CHUNK = 1024 * 1024


class FileRefused(Exception):
    """The whole file is refused; nothing was written."""


@dataclass
class RawRow:
    line: int
    cells: list[str]
    # A problem found while reading (wrong number of fields, a formula, a broken quote).
    problem: str = ""
    problem_column: str = ""


@dataclass
class Source:
    """An open file: its header (normalised column names) and an iterator of its rows."""

    header: list[str]
    rows: Iterator[RawRow]
    encoding: str = ""
    delimiter: str = ""
    total_bytes: int = 0
    position: _Counter | None = field(default=None, repr=False)

    @property
    def bytes_read(self) -> int:
        return self.position.count if self.position else 0


def normal_column(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


class _Counter(io.RawIOBase):
    """A binary file that counts the bytes read through it, for progress."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes; otherwise Windows-1252, the
    superset of Latin-1 that spreadsheets on Windows write."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise FileRefused(_("The file is in UTF-16: save it as CSV UTF-8 and send it again."))
        handle.seek(0)
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _pick_delimiter(header_line: str, known: set[str]) -> str:
    """The delimiter under which the header names the most known columns."""
    best, best_hits = ",", -1
    for delimiter in DELIMITERS:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        hits = sum(1 for n in names if normal_column(n) in known)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def check_header(header: Sequence[str], required: set[str], known: set[str]) -> None:
    names = [h for h in header if h]
    missing = [c for c in sorted(required) if c not in names]
    unknown = [c for c in names if c not in known]
    repeated = sorted({c for c in names if names.count(c) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        raise FileRefused(
            _("The header does not match the layout (%(problems)s). Expected columns: %(cols)s.")
            % {"problems": "; ".join(problems), "cols": ", ".join(sorted(known))}
        )


def open_csv(path: Path, *, required: set[str], known: set[str], encoding: str = "") -> Source:
    encoding = encoding or detect_encoding(path)
    total = path.stat().st_size
    with path.open("rb") as probe:
        sample = probe.read(SAMPLE_BYTES).decode(encoding, errors="replace")
    first_line = sample.lstrip("\ufeff").splitlines()[0] if sample.strip() else ""
    if not first_line.strip():
        raise FileRefused(_("The file is empty."))
    delimiter = _pick_delimiter(first_line, known)
    counter = _Counter(path.open("rb"))
    text = io.TextIOWrapper(io.BufferedReader(counter, CHUNK), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = [normal_column(h) for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise FileRefused(_("The header line cannot be read: %(error)s") % {"error": exc}) from exc
    check_header(header, required, known)
    return Source(
        header=header,
        rows=_csv_rows(reader, text, len(header)),
        encoding=encoding,
        delimiter=delimiter,
        total_bytes=total,
        position=counter,
    )


def _csv_rows(reader: Any, text: io.TextIOWrapper, width: int) -> Iterator[RawRow]:
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # A quote opened and never closed: the rest of the file is one broken field.
            yield RawRow(
                reader.line_num,
                [],
                _(
                    "The line cannot be read (%(error)s); the file "
                    "may be truncated or a quote left open."
                )
                % {"error": exc},
            )
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            problem = _("The line has %(got)s fields; the header has %(want)s.") % {
                "got": len(cells),
                "want": width,
            }
            if len(cells) < width and _at_end(text):
                problem += " " + _("The file seems to be cut off in the middle of this line.")
            yield RawRow(line, cells, problem)
            continue
        yield RawRow(line, cells)
    text.close()


def _at_end(text: io.TextIOWrapper) -> bool:
    try:
        return text.read(1) == ""
    except (OSError, ValueError):
        return True


# ---------------------------------------------------------------- XLSX


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_xlsx(path: Path, *, required: set[str], known: set[str], sheet: str = "") -> Source:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is refused the same way
        raise FileRefused(
            _("The file is not a readable XLSX workbook (%(error)s).")
            % {"error": type(exc).__name__}
        ) from exc
    names = book.sheetnames
    if sheet:
        if sheet not in names:
            raise FileRefused(
                _("The workbook has no sheet “%(sheet)s”; its sheets are: %(names)s.")
                % {"sheet": sheet, "names": ", ".join(names)}
            )
        chosen = book[sheet]
    elif len(names) == 1:
        chosen = book[names[0]]
    else:
        raise FileRefused(
            _("The workbook has several sheets (%(names)s): choose the one to import.")
            % {"names": ", ".join(names)}
        )
    rows = chosen.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration as exc:
        raise FileRefused(_("The sheet is empty.")) from exc
    header = [normal_column(_cell_text(c.value)) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    check_header(header, required, known)
    return Source(
        header=header,
        rows=_xlsx_rows(rows, header, book),
        encoding="xlsx",
        total_bytes=max(1, chosen.max_row or 1),
    )


def _xlsx_rows(rows: Iterator[Any], header: list[str], book: Any) -> Iterator[RawRow]:
    width = len(header)
    for number, cells in enumerate(rows, start=2):
        values = [c.value for c in cells[:width]]
        extra = [c.value for c in cells[width:] if c.value not in (None, "")]
        if not any(v not in (None, "") for v in values) and not extra:
            continue
        row = RawRow(number, [_cell_text(v) for v in values] + [""] * (width - len(values)))
        formula = next(
            (
                i
                for i, c in enumerate(cells[:width])
                if getattr(c, "data_type", "") == "f"
                or (isinstance(c.value, str) and c.value.startswith("="))
            ),
            None,
        )
        if formula is not None:
            row.problem_column = header[formula]
            row.problem = _("The cell holds a formula (%(formula)s): paste the values instead.") % {
                "formula": str(cells[formula].value)[:40]
            }
        elif extra:
            row.problem = _("The line has values beyond the last column of the header.")
        yield row
    book.close()


def open_source(
    path: Path, *, required: set[str], known: set[str], sheet: str = "", encoding: str = ""
) -> Source:
    with path.open("rb") as probe:
        magic = probe.read(4)
    if magic == b"PK\x03\x04":
        return open_xlsx(path, required=required, known=known, sheet=sheet)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("Old Excel files (.xls) are not read: save the sheet as XLSX or CSV."))
    return open_csv(path, required=required, known=known, encoding=encoding)
