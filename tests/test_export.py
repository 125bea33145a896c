"""Exported CSV cells never run as spreadsheet formulas."""

from amparo.core.export import csv_response, safe_cell


def test_formula_cells_are_defused() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+52 55 1234") == "'+52 55 1234"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("-12.5") == "-12.5"  # a number stays a number
    assert safe_cell("Tecún Umán") == "Tecún Umán"
    assert safe_cell(None) == ""


def test_csv_response_streams_bom_and_safe_rows() -> None:
    response = csv_response("x.csv", ["a", "b"], [["=1+1", "ok"]])
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffa,b\r\n")
    assert "'=1+1,ok" in body
    assert 'filename="x.csv"' in response["Content-Disposition"]
