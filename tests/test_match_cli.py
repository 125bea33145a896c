"""The command-line contract: manage.py match dedupe / link (docs/matching.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.matching.names import INPUT_COLUMNS

ROWS = [
    ["a1", "María José", "García", "Tzoc", "", "F", "1990-03-14", "", "", "", "GTM", "", "", ""],
    ["a2", "Maria Jose", "Tzoc", "Garcia", "", "F", "1990-03-14", "", "", "", "GTM", "", "", ""],
    ["b1", "José Luis", "Xitumul", "Pérez", "", "M", "1985-07-04", "", "", "", "", "", "", ""],
    ["b2", "Pepe", "Xitumul", "", "", "M", "1985-04-07", "", "", "", "", "", "", ""],
    ["c1", "Juan", "López", "García", "", "M", "", "1992", "", "", "", "", "", ""],
    ["c2", "Rosa", "Pérez", "", "", "F", "", "", "30", "2024-01-01", "", "", "", ""],
]


def write(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or list(INPUT_COLUMNS))
        writer.writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_dedupe_writes_pairs_and_clusters(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", ROWS)
    call_command("match", "dedupe", str(source), "--out", str(tmp_path / "out"), verbosity=0)
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "record_id_l,record_id_r,match_probability"
    pairs = read(tmp_path / "out" / "pairs.csv")
    assert {(p["record_id_l"], p["record_id_r"]) for p in pairs} == {("a1", "a2"), ("b1", "b2")}
    assert all(0.9 <= float(p["match_probability"]) <= 1 for p in pairs)
    with (tmp_path / "out" / "clusters.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "record_id,cluster_id"
    clusters = {c["record_id"]: c["cluster_id"] for c in read(tmp_path / "out" / "clusters.csv")}
    assert set(clusters) == {r[0] for r in ROWS}
    assert clusters["a1"] == clusters["a2"] and clusters["b1"] == clusters["b2"]
    assert len(set(clusters.values())) == 4


def test_link_writes_at_most_ten_ranked_candidates(tmp_path: Path) -> None:
    right = [[f"r{i}", "José", "Xitumul", "", "", "M", "", str(1980 + i % 10)] + [""] * 6
             for i in range(14)]  # fmt: skip
    write(tmp_path / "right.csv", right + ROWS)
    write(tmp_path / "left.csv", [["m1", "Chepe", "Xitumul", "Pérez"] + [""] * 10])
    call_command(
        "match", "link", str(tmp_path / "left.csv"), str(tmp_path / "right.csv"),
        "--out", str(tmp_path / "out"), verbosity=0,
    )  # fmt: skip
    with (tmp_path / "out" / "candidates.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "left_id,right_id,rank,match_probability"
    candidates = read(tmp_path / "out" / "candidates.csv")
    assert len(candidates) == 10
    assert [int(c["rank"]) for c in candidates] == list(range(1, 11))
    assert candidates[0]["right_id"] == "b1"
    probabilities = [float(c["match_probability"]) for c in candidates]
    assert probabilities == sorted(probabilities, reverse=True)


def test_any_column_but_record_id_may_be_missing_or_empty(tmp_path: Path) -> None:
    write(tmp_path / "in.csv", [["x1"], ["x2"]], header=["record_id"])
    call_command("match", "dedupe", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o"),
                 verbosity=0)  # fmt: skip
    assert read(tmp_path / "o" / "pairs.csv") == []
    assert len(read(tmp_path / "o" / "clusters.csv")) == 2


GOOD = ["x1", "Ana", "Tzoc", "", "", "F", "1990-01-01", "", "", "", "GTM", "", "", ""]


def bad(column: str, value: str) -> list[str]:
    row = list(GOOD)
    row[0] = "x2"
    row[INPUT_COLUMNS.index(column)] = value
    return row


@pytest.mark.parametrize(
    ("rows", "header", "line", "column"),
    [
        ([GOOD, bad("sex", "female")], None, 3, "sex"),
        ([GOOD, bad("birth_date", "14/03/1990")], None, 3, "birth_date"),
        ([GOOD, bad("birth_date", "1990-02-30")], None, 3, "birth_date"),
        ([GOOD, bad("age_at", "2024-13-01")], None, 3, "age_at"),
        ([GOOD, bad("birth_year", "90")], None, 3, "birth_year"),
        ([GOOD, bad("age", "-3")], None, 3, "age"),
        ([GOOD, bad("age", "treinta")], None, 3, "age"),
        ([GOOD, bad("nationality", "Guatemala")], None, 3, "nationality"),
        ([GOOD, GOOD], None, 3, "record_id"),
        ([GOOD, bad("record_id", "")], None, 3, "record_id"),
        ([["x1", "Ana"]], ["given_names", "surname1"], 1, "record_id"),
        ([["x1", "Ana"]], ["record_id", "apodo"], 1, "apodo"),
    ],
)
def test_bad_input_names_line_and_column_and_writes_nothing(
    tmp_path: Path, rows: list[list[str]], header: list[str] | None, line: int, column: str
) -> None:
    source = write(tmp_path / "in.csv", rows, header)
    out = tmp_path / "out"
    with pytest.raises(CommandError) as err:
        call_command("match", "dedupe", str(source), "--out", str(out), verbosity=0)
    message = str(err.value)
    assert f" {line}" in message and column in message, message
    assert not out.exists()


def test_non_utf8_input_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(",".join(INPUT_COLUMNS).encode() + b"\nx1,Jos\xe9,P\xe9rez\n")
    with pytest.raises(CommandError) as err:
        call_command("match", "dedupe", str(source), "--out", str(tmp_path / "o"), verbosity=0)
    assert "UTF-8" in str(err.value) and " 2" in str(err.value)
    assert not (tmp_path / "o").exists()


def test_bad_right_file_in_link_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "left.csv", [GOOD])
    write(tmp_path / "right.csv", [GOOD, bad("sex", "H")])
    with pytest.raises(CommandError) as err:
        call_command(
            "match", "link", str(tmp_path / "left.csv"), str(tmp_path / "right.csv"),
            "--out", str(tmp_path / "o"), verbosity=0,
        )  # fmt: skip
    assert "right.csv" in str(err.value) and "sex" in str(err.value)
    assert not (tmp_path / "o").exists()
