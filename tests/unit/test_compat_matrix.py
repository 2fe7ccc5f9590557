"""docs/compatibility.md's matrix is rendered from the compat run's cells, and ``--check``
refuses a document that says anything else; a NETCONF operation must have run against both
served hellos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compat.matrix import BEGIN, END, main, missing_hellos, render
from tests.shared import REPO

HELLO = {"base:1.0": "end-of-message", "base:1.1": "chunked"}


def _cell(operation: str, hello: str, target: str, result: str = "pass",
          client: str = "PyEZ") -> dict[str, str]:
    return {"client": client, "version": "2.8.2", "operation": operation, "hello": hello,
            "framing": HELLO[hello], "target": target, "result": result}


CELLS = [_cell("facts", h, t) for h in ("base:1.1", "base:1.0") for t in ("re0", "re1", "master")
         ] + [_cell("FS", h, "re1", r) for h in HELLO for r in ("pass", "FAIL")]


def test_render_one_row_per_operation_and_hello_worst_result_wins() -> None:
    table = render(CELLS).splitlines()
    assert table[0] == ("| Client | Version | Operation | Server hello | Framing "
                        "| re0 | re1 | master-only |")
    assert table[2:] == [
        "| PyEZ | 2.8.2 | facts | base:1.0 | end-of-message | pass | pass | pass |",
        "| PyEZ | 2.8.2 | FS | base:1.0 | end-of-message |  | FAIL |  |",
        "| PyEZ | 2.8.2 | facts | base:1.1 | chunked | pass | pass | pass |",
        "| PyEZ | 2.8.2 | FS | base:1.1 | chunked |  | FAIL |  |",
    ]


def test_a_netconf_operation_must_run_against_both_hellos(tmp_path: Path) -> None:
    assert missing_hellos(CELLS) == []
    one = [c for c in CELLS if not (c["operation"] == "FS" and c["hello"] == "base:1.1")]
    assert missing_hellos(one) == ["PyEZ: FS (ran against base:1.0 only)"]
    # An operation without NETCONF (framing "-") runs against the Junos hello only.
    cli = {**_cell("ssh: CLI", "base:1.0", "re0", client="OpenSSH"), "framing": "-"}
    assert missing_hellos([*CELLS, cli]) == []
    results, doc = _files(tmp_path, one)
    assert main([str(results), str(doc)]) == 1
    assert BEGIN + "\nold\n" in doc.read_text()  # left as it was


def _files(tmp_path: Path, cells: list[dict[str, str]] = CELLS) -> tuple[Path, Path]:
    results = tmp_path / "results"
    results.mkdir()
    (results / "pyez.json").write_text(json.dumps(cells))
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
