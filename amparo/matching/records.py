"""Reading and checking records in the matching layout (CSV files, dicts, DataFrames).

A bad record is refused with the line (of the CSV file, header = line 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from amparo.matching.names import INPUT_COLUMNS

_YEAR = re.compile(r"^\d{4}$")
_AGE = re.compile(r"^\d{1,3}$")
_ALPHA3 = re.compile(r"^[A-Za-z]{3}$")
SEXES = frozenset({"F", "M", "X"})
MAX_FIELD = 1000


class InputError(ValueError):
    """A record the matching engine cannot read; names the line and the column."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        self.line, self.column, self.detail = line, column, message
        where = []
        if line is not None:
            where.append(_("line %(line)s") % {"line": line})
        if column:
            where.append(_("column %(column)s") % {"column": column})
        super().__init__((", ".join(where) + ": " if where else "") + message)


def _check_date(value: str, line: int, column: str) -> None:
    try:
        date.fromisoformat(value)
        if len(value) != 10:
            raise ValueError
    except ValueError:
        raise InputError(
            _("%(value)r is not a date in the form YYYY-MM-DD") % {"value": value}, line, column
        ) from None


def check_record(row: dict[str, Any], line: int, seen: set[str]) -> dict[str, str]:
    """The record with every value a stripped string; raises InputError on a bad value."""
    clean: dict[str, str] = {}
    for column in INPUT_COLUMNS:
        value = row.get(column)
        if value is None or (isinstance(value, float) and value != value):  # None or NaN
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        if "\x00" in text:
            raise InputError(_("NUL characters are not allowed"), line, column)
        if len(text) > MAX_FIELD:
            raise InputError(_("the value is too long"), line, column)
        clean[column] = text
    rid = clean["record_id"]
    if not rid:
        raise InputError(_("record_id is empty"), line, "record_id")
    if rid in seen:
        raise InputError(_("record_id %(id)r appears twice") % {"id": rid}, line, "record_id")
    seen.add(rid)
    if clean["sex"]:
        clean["sex"] = clean["sex"].upper()
        if clean["sex"] not in SEXES:
            raise InputError(
                _("sex must be F, M or X, not %(value)r") % {"value": clean["sex"]}, line, "sex"
            )
    for column in ("birth_date", "age_at"):
        if clean[column]:
            _check_date(clean[column], line, column)
    year = clean["birth_year"]
    if year and not (_YEAR.match(year) and 1880 <= int(year) <= date.today().year + 1):
        raise InputError(
            _("%(value)r is not a year of birth") % {"value": year}, line, "birth_year"
        )
    age = clean["age"]
    if age and not (_AGE.match(age) and int(age) <= 130):
        raise InputError(_("%(value)r is not an age in years") % {"value": age}, line, "age")
    nationality = clean["nationality"]
    if nationality and not _ALPHA3.match(nationality):
        raise InputError(
            _("%(value)r is not an ISO 3166 alpha-3 country code") % {"value": nationality},
            line,
            "nationality",
        )
    return clean


def check_columns(columns: list[str]) -> None:
    if "record_id" not in columns:
        raise InputError(_("the record_id column is missing"), 1, "record_id")
    for column in columns:
        if column not in INPUT_COLUMNS:
            raise InputError(
                _("unknown column %(column)r; expected: %(expected)s")
                % {"column": column, "expected": ", ".join(INPUT_COLUMNS)},
                1,
                column,
            )
    duplicated = {c for c in columns if columns.count(c) > 1}
    if duplicated:
        column = sorted(duplicated)[0]
        raise InputError(_("the column appears twice"), 1, column)


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """All records of a UTF-8 CSV file with a header row, checked."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(_("the file is not UTF-8 text"), line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(_("the file is empty"), 1, "record_id") from None
    header = [h.strip() for h in header]
    check_columns(header)
    records: list[dict[str, str]] = []
    seen: set[str] = set()
    width = len(header)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width:
            raise InputError(
                _("the row has %(n)s fields, the header %(width)s")
                % {"n": len(row), "width": width},
                line,
                header[-1],
            )
        records.append(check_record(dict(zip(header, row, strict=False)), line, seen))
    return records


def check_records(records: Any) -> list[dict[str, str]]:
    """Records given as a list of dicts or a pandas DataFrame; line = position + 2 (as in a CSV)."""
    if hasattr(records, "to_dict") and hasattr(records, "columns"):
        check_columns([str(c) for c in records.columns])
        rows = records.to_dict("records")
    else:
        rows = list(records)
        columns: list[str] = []
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
        if rows:
            check_columns(columns)
    seen: set[str] = set()
    return [check_record(row, i + 2, seen) for i, row in enumerate(rows)]
