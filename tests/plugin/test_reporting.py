"""``--report-dir``: the HTML timeline and JSON of a run, also when xdist workers ran it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.report import EntryKind, LogDetail, OperationDetail, Outcome, load_json
from harness.scheduling import router_in_nodeid

SUITE = """
import pytest

from harness.mastership import expect


@pytest.mark.disruptive
def test_switch(router) -> None:
    before = router.master
    mark = router.mastership_log(before).mark()
    router.switchover("switch")
    assert [expect("E_CMD_S")] in router.mastership_log(before).since(mark)


def test_look(router) -> None:
    assert router.master == "re0"
"""


def test_report_of_a_single_process_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    out = pytester.path / "out"
    result = pytester.runpytest("--report-dir", str(out))
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"re-harness report: {out / 'report.html'}"])
    html = (out / "report.html").read_text()
    assert "<svg" in html and "r1" in html
    recorder = load_json(out / "report.json")
    tests = {t.nodeid.split("::")[-1]: t for t in recorder.tests()}
    assert {name: (t.routers, t.outcome) for name, t in tests.items()} == {
        "test_switch[r1]": (("r1",), Outcome.PASSED),
        "test_look[r1]": (("r1",), Outcome.PASSED),
    }
    ops = [e.detail for e in recorder.operations("r1")]
    assert [(d.operation, d.master_before, d.master_after) for d in ops
            if isinstance(d, OperationDetail)] == [("switchover", "re0", "re1")]
    codes = {e.detail.code for e in recorder.entries("r1") if isinstance(e.detail, LogDetail)}
    assert "E_CMD_S" in codes
    states = {(e.lane, e.detail.state) for e in recorder.entries("r1")  # type: ignore[union-attr]
              if e.kind is EntryKind.STATE}
    assert {("re0", "master"), ("re1", "backup"), ("fpc0", "online")} <= states
    assert ("re1", "master") in states and ("fpc0", "offline") in states
    assert len([e for e in recorder.entries("r1") if e.kind is EntryKind.RESET]) == 2
    (switch,) = [d for d in ops if isinstance(d, OperationDetail)]
    assert switch.until == "forwarding" and switch.fpcs_stayed_online is False
    assert switch.data_plane is not None and switch.data_plane > 0


def test_report_merges_the_parts_of_xdist_workers(pytester: pytest.Pytester,
                                                  small_fleet: Path) -> None:
    pytester.makepyfile(SUITE)
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("--testbed", str(small_fleet), "-n", "2",
                                           "--report-dir", str(out))
    result.assert_outcomes(passed=4, skipped=2)
    recorder = load_json(out / "report.json")
    ran = {(t.nodeid.split("::")[-1], t.outcome) for t in recorder.tests()}
    assert ("test_switch[mx-a]", Outcome.PASSED) in ran
    assert ("test_look[t-b]", Outcome.PASSED) in ran
    assert ("test_look[m7i-c]", Outcome.SKIPPED) in ran
    assert {e.router for e in recorder.operations()} == {"mx-a", "t-b"}
    assert not (out / ".parts").exists()
    assert (out / "report.html").is_file()


@pytest.mark.parametrize(("nodeid", "expected"), [
    ("t.py::test_a[mx-a]", "mx-a"),
    ("t.py::test_a[mx-a-0]", "mx-a"),
    ("t.py::test_a[gres-switch-mx]", "mx"),
    ("t.py::test_a[mx-a-mx]", "mx-a"),
    ("t.py::test_a[mx-ab]", "mx"),
    ("t.py::test_a[mxa-b]", None),
    ("t.py::test_a", None),
])
def test_router_in_nodeid(nodeid: str, expected: str | None) -> None:
    assert router_in_nodeid(nodeid, ["mx", "mx-a", "t-b"]) == expected
