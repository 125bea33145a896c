"""CSV files for people to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice ("CSV injection"): such cells are written with a leading apostrophe, which the
spreadsheet shows as text and never evaluates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        # A negative number stays a number: only text that could be a formula is defused.
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def safe_row(values: Sequence[Any]) -> list[str]:
    return [safe_cell(v) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream a UTF-8 CSV (with BOM, so Excel reads accents right) as a download."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(safe_row(header))
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
