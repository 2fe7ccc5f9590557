"""docs/emulator-model.md stays honest: every test it names exists, every procedure of the
chapter's Table 106 has a row, every Table 107 code but E_NULL is expected by a NETCONF test, and
section 13 lists the chapter's statements S1..Sn, each reproduced by named tests or carrying the
reason it cannot be observed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from emulator.model.mlog import EventCode

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "emulator-model.md"
PREFIXES = {"I/": "tests/integration/", "U/": "tests/unit/"}
SHORT = {"sw": "test_emulator_switchover.py", "fo": "test_emulator_failover.py",
         "pw": "test_emulator_power.py", "cf": "test_emulator_config.py",
         "pf": "test_emulator_platforms.py", "rt": "test_emulator_realtime.py",
         "st": "test_emulator_statements.py", "ch": "test_emulator_chapter.py",
         "cl": "test_cli_chapter.py"}
_REF = re.compile(r"`([IU])/([\w.]+)::(\w+)`")
#: A row of the statements section: number, statement, status, proof or reason.
_STATEMENT = re.compile(r"^\| S(\d+) \| (.+) \| (reproduced|not observable) \| (.+) \|$")
STATUSES = ("reproduced", "not observable")
#: Issue 12's review counted 78 testable statements; the statements section splits them finer.
REVIEWED_STATEMENTS = 78
#: The procedures of Table 106 ("Checklist for Host Redundancy"), as the doc's rows name them.
TABLE_106 = (
    "Understanding redundancy", "Redundancy connections", "Which RE am I on, step 1",
    "Which RE am I on, step 2", "Mastership by status", "Mastership by the LEDs",
    "Log in to the backup", "Manually configuring master and backup", "Manually switching",
    "Determining why mastership switched", "failure of keepalives", "same RE type",
    "groups re0/re1", "`commit synchronize`", "`file copy", "`request system halt`",
)


def references() -> list[tuple[Path, str]]:
    """Return (test file, test function) for every test the document names."""
    refs = []
    for kind, name, func in _REF.findall(DOC.read_text()):
        path = ROOT / PREFIXES[f"{kind}/"] / SHORT.get(name, name)
        refs.append((path, func))
    return refs


def functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_the_document_names_many_tests() -> None:
    assert len(references()) > 80


@pytest.mark.parametrize(("path", "func"), references(),
                         ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_every_named_test_exists(path: Path, func: str) -> None:
    assert path.exists(), path
    assert func in functions(path) and func.startswith("test_")


@pytest.mark.parametrize("procedure", TABLE_106)
def test_every_table_106_procedure_has_a_row(procedure: str) -> None:
    section = DOC.read_text().split("## 2.")[0]
    assert any(line.startswith(f"| {procedure}") or procedure in line.split("|")[1]
               for line in section.splitlines() if line.startswith("| "))


@pytest.mark.parametrize("code", [c.name for c in EventCode if c is not EventCode.E_NULL])
def test_every_event_code_is_expected_by_a_netconf_test(code: str) -> None:
    sources = "".join(p.read_text() for p in (ROOT / "tests/integration").glob(
        "test_emulator_*.py"))
    assert f'"{code}"' in sources


def statement_rows() -> list[str]:
    """Return the rows of the section "The chapter, statement by statement" that start with a
    statement number (found by its title: sections are renumbered as the document grows)."""
    heading = re.search(r"^## \d+\. The chapter, statement by statement$", DOC.read_text(), re.M)
    assert heading is not None, "the statements section is missing"
    section = DOC.read_text()[heading.end():].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if re.match(r"\| S\d", line)]


def test_statements_are_numbered_without_a_gap_and_each_has_a_status() -> None:
    rows = statement_rows()
    parsed = [_STATEMENT.match(row) for row in rows]
    assert all(parsed), [row for row, m in zip(rows, parsed, strict=True) if m is None]
    numbers = [int(m.group(1)) for m in parsed if m]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= REVIEWED_STATEMENTS


@pytest.mark.parametrize("row", statement_rows(), ids=lambda r: r.split("|")[1].strip())
def test_each_statement_is_proved_by_a_test_or_says_why_not(row: str) -> None:
    m = _STATEMENT.match(row)
    assert m is not None, row
    status, proof = m.group(3), m.group(4)
    named = _REF.findall(proof)
    if status == "reproduced":
        assert named, "a reproduced statement names the tests that prove it"
    else:
        assert not named and len(proof.split()) >= 8, "a reason, in words, and no test"


@pytest.mark.parametrize("code", [c.name for c in EventCode])
def test_every_table_107_code_is_a_statement(code: str) -> None:
    rows = [row for row in statement_rows() if re.search(rf"\b{code}\b", row)]
    expected = "not observable" if code == "E_NULL" else "reproduced"
    assert {m.group(3) for row in rows if (m := _STATEMENT.match(row))} == {expected}
