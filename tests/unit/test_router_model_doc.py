"""docs/emulator-model.md stays honest: every test it names exists, every procedure of the
chapter's Table 106 has a row, and every Table 107 code but E_NULL is expected by a NETCONF test.
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
         "pf": "test_emulator_platforms.py", "rt": "test_emulator_realtime.py"}
_REF = re.compile(r"`([IU])/([\w.]+)::(\w+)`")
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
