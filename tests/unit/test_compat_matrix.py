"""docs/compatibility.md's matrix is rendered from the compat run's cells, and ``--check``
refuses a document that says anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compat.matrix import BEGIN, END, main, render
from tests.shared import REPO

CELLS = [
    {"client": "PyEZ", "version": "2.8.2", "operation": "facts", "target": t, "result": "pass"}
    for t in ("re0", "re1", "master")
] + [
    {"client": "PyEZ", "version": "2.8.2", "operation": "FS", "target": "re1", "result": "pass"},
    {"client": "PyEZ", "version": "2.8.2", "operation": "FS", "target": "re1", "result": "FAIL"},
]


def test_render_one_row_per_operation_worst_result_wins() -> None:
    table = render(CELLS).splitlines()
    assert table[0] == "| Client | Version | Operation | re0 | re1 | master-only |"
    assert table[2] == "| PyEZ | 2.8.2 | facts | pass | pass | pass |"
    assert table[3] == "| PyEZ | 2.8.2 | FS |  | FAIL |  |"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    results = tmp_path / "results"
    results.mkdir()
    (results / "pyez.json").write_text(json.dumps(CELLS))
    doc = tmp_path / "compatibility.md"
    doc.write_text(f"intro\n{BEGIN}\nold\n{END}\nnotes\n")
    return results, doc


def test_rewrite_then_check(tmp_path: Path) -> None:
    results, doc = _files(tmp_path)
    assert main([str(results), str(doc), "--check"]) == 1  # the document is stale
    assert main([str(results), str(doc)]) == 0
    assert doc.read_text() == f"intro\n{BEGIN}\n{render(CELLS)}{END}\nnotes\n"
    assert main([str(results), str(doc), "--check"]) == 0


def test_no_results_is_a_failure(tmp_path: Path) -> None:
    _, doc = _files(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty), str(doc), "--check"]) == 1


def test_the_document_has_the_markers() -> None:
    text = (REPO / "docs" / "compatibility.md").read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1


def test_missing_markers_are_refused(tmp_path: Path) -> None:
    results, doc = _files(tmp_path)
    doc.write_text("no markers\n")
    with pytest.raises(SystemExit, match="matrix"):
        main([str(results), str(doc)])
