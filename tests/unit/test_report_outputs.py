"""Tests of the report's outputs besides the page: the JUnit properties of an operation and
the pre-upgrade acceptance report (text and JSON, with its "forwarding restored" and "backup
ready" lines).  No network."""

from __future__ import annotations

import json
from pathlib import Path

from harness.readiness import budget_checks
from harness.report import junit_properties
from harness.router.results import Phases
from re_contract.testbed import Budgets
from tests.unit.test_report import FakeClock, log_lines, op, switch

# --------------------------------------------------------------------------- JUnit


def test_junit_properties_of_a_switchover() -> None:
    props = junit_properties(switch("re0", "re1", "acquire", 45.5,
                                    phases=Phases(0.5, 45.25, None, False)), router="r1")
    assert props == [
        ("router", "r1"), ("operation", "switchover"), ("target", "re1"), ("method", "acquire"),
        ("master_before", "re0"), ("master_after", "re1"), ("until", "forwarding"),
        ("duration_router_s", "45.500"), ("duration_wall_s", "0.400"),
        ("control_plane_s", "0.500"), ("data_plane_s", "45.250"), ("backup_ready_s", "none"),
        ("fpcs_stayed_online", "false"),
    ]


def test_junit_properties_of_a_halt_without_master() -> None:
    props = dict(junit_properties(op("halt", "re0", "re0", None, 15.25)))
    assert "method" not in props and "router" not in props
    assert props["master_after"] == "none"
    assert props["duration_router_s"] == "15.250"


# --------------------------------------------------------------------------- acceptance


def test_acceptance_report_renders_text_and_json(tmp_path: Path) -> None:
    from harness.readiness import CheckResult
    from harness.report.acceptance import AcceptanceReport

    report = AcceptanceReport("pe1", "MX960")
    report.checks = [CheckResult("two-routing-engines", True, "re0 master, re1 backup"),
                     CheckResult("same-re-model", False, "re0 RE-S-1800x4, re1 RE-S-2000")]
    report.add_operation(switch("re0", "re1", took=4.25))
    clock = FakeClock()
    report.add_timeline(log_lines(clock, "re0", "event = E_CMD_S, state = master, param = 0x0"))
    report.tests["test_ready_for_upgrade"] = "failed"

    text = report.to_text()
    assert "Result: FAIL" in text
    assert "  [FAIL] same-re-model: re0 RE-S-1800x4, re1 RE-S-2000" in text
    assert "  switchover switch: re0 -> re1 in 4.2 s router time (0.40 s wall)" in text
    assert "  failed   test_ready_for_upgrade" in text
    assert "  2024-06-01 10:00:00  re0  event = E_CMD_S, state = master, param = 0x0" in text
    data = json.loads(report.to_json())
    assert data["passed"] is False and data["operations"][0]["method"] == "switch"
    assert data["timeline"] == [{"time": "2024-06-01 10:00:00", "re": "re0",
                                 "entry": "event = E_CMD_S, state = master, param = 0x0"}]
    json_path, text_path = report.write(tmp_path / "out")
    assert json.loads(json_path.read_text()) == data
    assert text_path.read_text() == text


def test_budget_lines_pass_within_the_budgets_and_say_why_not() -> None:
    within = switch("re0", "re1", took=60.0, phases=Phases(2.0, 45.0, 60.0, False))
    fwd, ready = budget_checks(within, Budgets(forwarding_restored=50, backup_ready=60))
    assert (fwd.name, fwd.passed, ready.name, ready.passed) == (
        "forwarding restored", True, "backup ready", True)
    assert fwd.detail == ("45.0 s after switch re0 -> re1 (budget 50 s); FPCs re-initialised; "
                          "new master answered after 2.0 s")
    fwd, ready = budget_checks(within, Budgets(forwarding_restored=40, backup_ready=30))
    assert not fwd.passed and not ready.passed
    assert ready.line() == "[FAIL] backup ready: 60.0 s after switch re0 -> re1 (budget 30 s)"
    unmeasured = switch("re0", "re1", phases=Phases(2.0))
    fwd, ready = budget_checks(unmeasured, Budgets())
    assert not fwd.passed and "not measured (the operation waited only until master)" in fwd.detail
