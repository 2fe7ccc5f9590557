"""Tests of ``harness.report``: the recorder, the HTML report's header and tables (read back with
``xml.etree`` and ``html.parser``), the JSON round trip and merging xdist parts.  Recorders are
built by hand from fake results; no network.  The timeline (lanes, spans, labels) is tested in
``test_report_timeline.py``, JUnit and the acceptance report in ``test_report_outputs.py``."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.mastership import LogEntry, parse_log
from harness.report import (
    DisruptionDetail,
    EntryKind,
    LogDetail,
    OperationDetail,
    Outcome,
    Recorder,
    ReportError,
    ResetDetail,
    Source,
    StateDetail,
    TimelineEntry,
    load_json,
    merge_parts,
    outcome_of,
    render_html,
    to_dict,
    write_html,
    write_json,
)
from harness.router import OperationResult, SwitchoverResult
from harness.router.results import Phases, Seen

SVG = "{http://www.w3.org/2000/svg}"
T0 = 1_717_236_000.0  # 2024-06-01 10:00:00 UTC, router time


class FakeClock:
    """A router clock the test moves by hand."""

    def __init__(self, start: float = T0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


class FakeWall:
    """A wall clock that moves a little on every reading (entries stay ordered)."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        self.t += 0.25
        return self.t


@dataclass(frozen=True)
class FakeReport:
    """The part of a pytest TestReport the recorder reads."""

    nodeid: str
    when: str
    outcome: str
    duration: float = 0.5
    longreprtext: str = ""


NO_PHASES = Phases()


def switch(before: str, after: str, method: str = "switch", took: float = 3.2,
           phases: Phases = NO_PHASES, started: float | None = None,
           seen: tuple[Seen, ...] = ()) -> SwitchoverResult:
    return SwitchoverResult(operation="switchover", target=after, master_before=before,
                            master_after=after, duration=took, wall_duration=0.4, method=method,
                            phases=phases, started=started, seen=seen,
                            until="forwarding" if phases.data_plane is not None else "master")


def op(name: str, target: str, before: str | None, after: str | None, took: float
       ) -> OperationResult:
    return OperationResult(operation=name, target=target, master_before=before,
                           master_after=after, duration=took, wall_duration=0.1)


def run_op(rec: Recorder, clock: FakeClock, router: str, result: OperationResult) -> None:
    """Move the router clock by the operation's duration, then report it as a router would."""
    clock.advance(result.duration)
    rec.listener(router)(result)


def observe(rec: Recorder, clock: FakeClock, router: str, **states: str) -> None:
    """Record what the router reports now: ``re0="master"``, ``fpc0="online"``..."""
    rec.record_states(router, [Seen(clock.now(), lane, state, f"{lane}: show")
                               for lane, state in states.items()])


def log_lines(clock: FakeClock, re: str, *bodies: str) -> list[LogEntry]:
    """Return parsed mastership-log entries stamped at the clock's time (emulator format)."""
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(clock.now(), UTC).strftime("%b %e %H:%M:%S")
    text = "\n".join(f"{stamp} {body}" for body in bodies)
    return parse_log(text, year=2024, re=re)


def build_simple() -> Recorder:
    """One router: re0 master, switch to re1, halt re0, power re0 on again."""
    clock, rec = FakeClock(), Recorder("emulated", wall=FakeWall())
    rec.add_router("r1", platform="MX960", re_names=("re0", "re1"), clock=clock.now)
    rec.start_test("suites/test_ha.py::test_cycle[r1]", ["r1"])
    observe(rec, clock, "r1", re0="master", re1="backup")
    clock.advance(10)
    run_op(rec, clock, "r1", switch("re0", "re1", phases=Phases(0.4, 3.2, None, False)))
    clock.advance(20)
    run_op(rec, clock, "r1", op("halt", "re0", "re1", "re1", 12.0))
    clock.advance(30)
    run_op(rec, clock, "r1", op("power_on", "re0", "re1", "re1", 95.0))
    clock.advance(5)
    rec.end_test("suites/test_ha.py::test_cycle[r1]", Outcome.PASSED, duration=1.5)
    return rec


def build_sample() -> Recorder:
    """A realistic run on two routers: switchovers of each method, a failed release, halt,
    power-on, reboot, a skip, and matched log events (also rendered to /tmp for a look)."""
    wall, c1, c2 = FakeWall(), FakeClock(), FakeClock(T0 + 3600)
    rec = Recorder("emulated-fleet", wall=wall)
    rec.add_router("mx960-a", platform="MX960", clock=c1.now)
    rec.add_router("m320-b", platform="M320", clock=c2.now)
    for clock, name in ((c1, "mx960-a"), (c2, "m320-b")):
        _sample_router(rec, clock, name)
    rec.start_test("suites/test_basics.py::test_single_re_platform[mx960-a]", ["mx960-a"])
    rec.end_test("suites/test_basics.py::test_single_re_platform[mx960-a]", "skipped")
    return rec


def _sample_router(rec: Recorder, clock: FakeClock, name: str) -> None:
    from harness.faults import Disruption, DisruptiveAction

    nid = f"suites/test_switchover.py::test_%s[{name}]"
    rec.record_reset(name)
    rec.start_test(nid % "initial_master", [name])
    observe(rec, clock, name, re0="master", re1="backup")
    clock.advance(2)
    rec.end_test(nid % "initial_master", "passed", duration=0.2)
    rec.start_test(nid % "switch", [name])
    rec.record_disruption(DisruptiveAction(name, Disruption.SWITCHOVER, "switchover (switch)",
                                           None, True))
    clock.advance(3)
    rec.add_log_events(name, log_lines(clock, "re0", "event = E_CMD_S, state = master, "
                                       "param = 0x0", "new state = giveup"))
    run_op(rec, clock, name, switch("re0", "re1", "switch", 4.1))
    rec.add_log_events(name, log_lines(clock, "re1", "event = E_ACK_G, state = claim, "
                                       "param = 0x0", "new state = master"))
    rec.end_test(nid % "switch", "passed", duration=0.6)
    rec.start_test(nid % "acquire_after_hold_down", [name])
    clock.advance(240)
    run_op(rec, clock, name, switch("re1", "re0", "acquire", 3.4))
    rec.end_test(nid % "acquire_after_hold_down", "passed", duration=0.4)
    rec.start_test(nid % "release_with_backup_unreachable", [name])
    clock.advance(250)
    run_op(rec, clock, name, switch("re0", "re1", "release", 11.0))
    clock.advance(4)
    rec.end_test(nid % "release_with_backup_unreachable", "failed", duration=2.1,
                 message="AssertionError: mastership log: missing #3 E_MAXTRY")
    rec.start_test(nid % "halt_backup_is_survived", [name])
    clock.advance(30)
    run_op(rec, clock, name, op("halt", "re0", "re1", "re1", 14.0))
    clock.advance(60)
    run_op(rec, clock, name, op("power_on", "re0", "re1", "re1", 96.0))
    rec.end_test(nid % "halt_backup_is_survived", "passed", duration=3.0)
    rec.start_test(nid % "reboot_backup", [name])
    clock.advance(20)
    run_op(rec, clock, name, op("reboot", "re0", "re1", "re1", 182.0))
    rec.end_test(nid % "reboot_backup", "passed", duration=2.0)


# --------------------------------------------------------------------------- helpers


def parse(path: Path) -> ET.Element:
    """Return the report read as XML (it is well-formed by design)."""
    return ET.fromstring(path.read_text(encoding="utf-8"))


def text_of(el: ET.Element) -> str:
    return "".join(el.itertext()).strip()


def table_rows(root: ET.Element, css: str) -> list[list[str]]:
    table = next(t for t in root.iter("table") if t.get("class") == css)
    body = table.find("tbody")
    assert body is not None
    return [[text_of(td) for td in tr.findall("td")] for tr in body.findall("tr")]


# --------------------------------------------------------------------------- HTML


def test_html_operations_table_lists_every_operation(tmp_path: Path) -> None:
    root = parse(write_html(build_simple(), tmp_path / "report.html"))

    rows = table_rows(root, "ops")
    assert [row[3:] for row in rows] == [
        ["switchover", "switch", "re1", "re0 → re1", "forwarding", "0.40 s", "3.20 s",
         "re-initialised", "-", "3.20 s", "0.40 s"],
        ["halt", "-", "re0", "re1 → re1", "master", "-", "-", "-", "-", "12.0 s", "0.10 s"],
        ["power_on", "-", "re0", "re1 → re1", "master", "-", "-", "-", "-", "95.0 s",
         "0.10 s"],
    ]
    assert rows[0][1] == "10:00:13.2"  # T0 + 10 s + 3.2 s, router time UTC
    assert {row[2] for row in rows} == {"suites/test_ha.py::test_cycle[r1]"}


def test_html_lists_matched_log_events_and_marks_them(tmp_path: Path) -> None:
    root = parse(write_html(build_sample(), tmp_path / "report.html"))

    section = next(s for s in root.iter("section") if s.get("id") == "router-mx960-a")
    rows = table_rows(section, "log")
    assert [(r[1], r[2], r[3]) for r in rows] == [("re0", "E_CMD_S", "master"),
                                                 ("re1", "E_ACK_G", "claim")]
    assert rows[0][5].endswith("event = E_CMD_S, state = master, param = 0x0")
    codes = [p.get("data-code") for p in section.iter(f"{SVG}polygon")]
    assert codes == ["E_CMD_S", "E_ACK_G"]
    # "new state = X" lines are states of their RE's lane, not events.
    states = [(r.get("data-lane"), r.get("data-state")) for r in section.iter(f"{SVG}rect")
              if r.get("data-lane") in ("re0", "re1")]
    assert ("re0", "giveup") in states and ("re1", "master") in states


def test_html_header_gives_verdict_and_each_test_outcome(tmp_path: Path) -> None:
    root = parse(write_html(build_sample(), tmp_path / "report.html"))

    h1 = root.find(".//h1")
    assert h1 is not None and text_of(h1).endswith("FAILED")
    rows = table_rows(root, "tests")
    outcomes = {row[0]: row[2] for row in rows}
    assert outcomes["suites/test_switchover.py::test_switch[m320-b]"] == "passed"
    assert outcomes["suites/test_switchover.py::test_release_with_backup_unreachable"
                    "[mx960-a]"] == "failed"
    assert outcomes["suites/test_basics.py::test_single_re_platform[mx960-a]"] == "skipped"
    failed = next(r for r in rows if r[2] == "failed")
    assert failed[4] == "AssertionError: mastership log: missing #3 E_MAXTRY"
    assert "testbed emulated-fleet" in text_of(root.find(".//p[@class='meta']"))  # type: ignore


def test_html_verdict_passes_when_no_test_failed(tmp_path: Path) -> None:
    root = parse(write_html(build_simple(), tmp_path / "report.html"))

    verdict = next(s for s in root.iter("span") if "verdict" in s.get("class", ""))
    assert text_of(verdict) == "PASSED"


class _Tags(HTMLParser):
    """Collects what a browser's parser sees: tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained(tmp_path: Path) -> None:
    page = write_html(build_sample(), tmp_path / "report.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)

    names = [tag for tag, _ in parser.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    urls = [v for tag, attrs in parser.tags for k, v in attrs.items()
            if k in ("src", "href") and v]
    assert urls == []
    assert page.count("http") == names.count("svg") == 2  # only the SVG namespace, per router
    assert names.count("style") == 1


def test_html_escapes_test_names(tmp_path: Path) -> None:
    rec = Recorder("tb", wall=FakeWall())
    rec.start_test("t.py::test_x[<a&b>]", ["r1"])
    rec.record_operation("r1", switch("re0", "re1"), at=T0)
    rec.end_test("t.py::test_x[<a&b>]", "passed")

    root = parse(write_html(rec, tmp_path / "r.html"))
    assert table_rows(root, "tests")[0][0] == "t.py::test_x[<a&b>]"
    assert "<a&b>" not in render_html(rec)


def test_html_without_router_time_estimates_it_from_wall_time(tmp_path: Path) -> None:
    # A router without a clock: entries carry wall time only, and the report still draws
    # them in order on one axis.
    rec = Recorder("lab", wall=FakeWall())
    rec.start_test("t.py::test_a", ["r9"])
    rec.record_operation("r9", switch("re0", "re1", took=0.2))
    rec.end_test("t.py::test_a", "passed")

    assert all(e.router_time is None for e in rec.entries())
    root = parse(write_html(rec, tmp_path / "r.html"))
    drawn = [g for g in root.iter(f"{SVG}g") if g.get("data-operation") == "switchover"]
    assert len(drawn) == 1
    assert table_rows(root, "ops")[0][3] == "switchover"


# --------------------------------------------------------------------------- recorder


def test_operation_during_a_test_joins_its_router() -> None:
    rec = Recorder("tb", wall=FakeWall())
    rec.start_test("t.py::test_b")
    entry = rec.record_operation("r2", switch("re1", "re0"), at=T0)

    assert entry.nodeid == "t.py::test_b"
    assert rec.tests()[0].routers == ("r2",)
    kinds = [e.kind for e in rec.entries("r2")]
    assert kinds == [EntryKind.TEST_START, EntryKind.OPERATION]


def test_operation_outside_a_test_belongs_to_none() -> None:
    rec = Recorder("tb", wall=FakeWall())
    assert rec.record_operation("r1", op("reboot", "re1", "re0", "re0", 90), at=T0).nodeid == ""
    assert rec.tests() == []


def test_every_report_of_a_state_is_kept_with_its_lane_and_source() -> None:
    # Observations are not de-duplicated: the same state reported again after a reset must
    # open a new segment (the timeline's rule needs every report).
    clock, rec = FakeClock(), Recorder("tb", wall=FakeWall())
    observe(rec, clock, "r1", re0="master")
    rec.record_reset("r1", T0)
    observe(rec, clock, "r1", re0="master")
    states = [(e.kind, e.lane, e.source, e.detail) for e in rec.entries("r1")]
    assert states == [
        (EntryKind.STATE, "re0", Source.OBSERVED, StateDetail("re0", "master", "re0: show")),
        (EntryKind.RESET, None, Source.HARNESS, ResetDetail()),
        (EntryKind.STATE, "re0", Source.OBSERVED, StateDetail("re0", "master", "re0: show")),
    ]


def test_an_operation_brings_the_states_reported_while_it_was_waited_for() -> None:
    rec = Recorder("tb", wall=FakeWall())
    seen = (Seen(T0 + 1, "re1", "master", "re1: show chassis routing-engine"),
            Seen(T0 + 2, "fpc0", "offline", "re1: show chassis fpc"),
            Seen(T0 + 45, "fpc0", "online", "re1: show chassis fpc"))
    entry = rec.record_operation("r1", switch("re0", "re1", took=45.0, started=T0,
                                              phases=Phases(1.0, 45.0, None, False),
                                              seen=seen))
    assert entry.router_time == T0 + 45.0  # command time plus duration
    states = [(e.router_time, e.lane, e.detail.state) for e in rec.entries("r1")  # type: ignore
              if e.kind is EntryKind.STATE]
    assert states == [(T0 + 1, "re1", "master"), (T0 + 2, "fpc0", "offline"),
                      (T0 + 45, "fpc0", "online")]
    detail = entry.detail
    assert isinstance(detail, OperationDetail)
    assert (detail.started, detail.control_plane, detail.data_plane, detail.backup_ready,
            detail.fpcs_stayed_online) == (T0, 1.0, 45.0, None, False)


def test_disruptive_actions_are_recorded_with_their_test() -> None:
    from harness.faults import Disruption, DisruptiveAction

    rec = Recorder("tb", wall=FakeWall())
    rec.start_test("t.py::test_x", ["lab1"])
    entry = rec.record_disruption(DisruptiveAction("lab1", Disruption.SWITCHOVER,
                                                   "switchover (switch)", None, True), T0)
    assert (entry.nodeid, entry.source) == ("t.py::test_x", Source.TEST)
    assert entry.detail == DisruptionDetail("switchover", "switchover (switch)", None, True)


def test_log_entries_are_added_once_events_as_events_new_states_as_lane_states() -> None:
    clock = FakeClock()
    rec = Recorder("tb", wall=FakeWall())
    entries = log_lines(clock, "re0", "event = E_CMD_S, state = master, param = 0x0",
                        "new state = giveup")

    assert rec.add_log_events("r1", entries) == 2
    assert rec.add_log_events("r1", entries) == 0
    event, state = rec.entries("r1")
    assert event.router_time == state.router_time == T0
    assert event.detail == LogDetail("re0", "E_CMD_S", "master", 0, entries[0].raw)
    assert (state.kind, state.source, state.lane) == (EntryKind.STATE, Source.ROUTER_LOG, "re0")
    assert state.detail == StateDetail("re0", "giveup", "re0: mastership log")


def test_clock_failure_leaves_router_time_unknown() -> None:
    from harness.errors import HarnessError

    def broken() -> float:
        raise HarnessError("control session closed")

    rec = Recorder("tb", wall=FakeWall())
    rec.add_router("r1", clock=broken)
    assert rec.record_operation("r1", switch("re0", "re1")).router_time is None


def test_teardown_error_after_a_pass_wins() -> None:
    rec = Recorder("tb", wall=FakeWall())
    rec.start_test("t.py::test_c", ["r1"])
    assert rec.record_report(FakeReport("t.py::test_c", "setup", "passed")) is None
    assert rec.record_report(FakeReport("t.py::test_c", "call", "passed")) is Outcome.PASSED
    rec.record_report(FakeReport("t.py::test_c", "teardown", "failed", 0.25,
                                 "Traceback\n  ...\nRuntimeError: restore failed"))

    (test,) = rec.tests()
    assert (test.outcome, test.duration) == (Outcome.ERROR, 0.75)
    assert test.message == "RuntimeError: restore failed"
    ends = [e for e in rec.entries("r1") if e.kind is EntryKind.TEST_END]
    assert [e.detail.outcome for e in ends] == [Outcome.ERROR]  # type: ignore[union-attr]


@pytest.mark.parametrize(("when", "outcome", "xfail", "expected"), [
    ("call", "passed", False, Outcome.PASSED),
    ("call", "failed", False, Outcome.FAILED),
    ("call", "skipped", False, Outcome.SKIPPED),
    ("call", "skipped", True, Outcome.XFAILED),
    ("call", "passed", True, Outcome.XPASSED),
    ("setup", "failed", False, Outcome.ERROR),
    ("setup", "skipped", False, Outcome.SKIPPED),
    ("setup", "passed", False, None),
    ("teardown", "passed", False, None),
])
def test_outcome_of_follows_pytest_summary(when: str, outcome: str, xfail: bool,
                                           expected: Outcome | None) -> None:
    report = FakeReport("t.py::t", when, outcome)
    if xfail:
        report = _XfailReport("t.py::t", when, outcome)
    assert outcome_of(report) is expected


@dataclass(frozen=True)
class _XfailReport(FakeReport):
    wasxfail: str = "known bug"


def test_recorder_is_safe_across_threads() -> None:
    rec = Recorder("tb")

    def work(n: int) -> None:
        for k in range(200):
            rec.record_operation(f"r{n}", switch("re0", "re1"), at=T0 + k)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(rec.entries()) == 800
    assert sorted(r.name for r in rec.routers()) == ["r0", "r1", "r2", "r3"]


# --------------------------------------------------------------------------- JSON


def test_json_round_trip(tmp_path: Path) -> None:
    rec = build_sample()
    loaded = load_json(write_json(rec, tmp_path / "part.json"))

    assert loaded.testbed == "emulated-fleet"
    assert loaded.routers() == rec.routers()
    assert loaded.tests() == rec.tests()
    assert loaded.entries() == rec.entries()
    assert isinstance(loaded.operations()[0].detail, OperationDetail)
    assert render_html(loaded).split("generated")[1] == render_html(rec).split("generated")[1]


def test_json_summary_is_machine_readable(tmp_path: Path) -> None:
    data = json.loads(write_json(build_sample(), tmp_path / "r.json").read_text())

    summary = data["summary"]
    assert summary["verdict"] == "failed"
    assert summary["tests"] == {"passed": 10, "failed": 2, "skipped": 1}
    assert summary["switchovers"]["mx960-a"] == {"count": 3, "min": 3.4, "mean": 6.167,
                                                 "max": 11.0}


def test_load_json_names_the_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ReportError, match="bad.json: cannot read"):
        load_json(bad)
    bad.write_text(json.dumps({"format": "other"}))
    with pytest.raises(ReportError, match="format: expected 're-harness-report'"):
        load_json(bad)
    data = to_dict(build_simple())
    data["entries"][2]["kind"] = "teleport"
    bad.write_text(json.dumps(data))
    with pytest.raises(ReportError, match=r"bad.json: entries\[2\]: ValueError"):
        load_json(bad)


# --------------------------------------------------------------------------- xdist parts


def test_merge_parts_combines_workers(tmp_path: Path) -> None:
    wall, c1, c2 = FakeWall(), FakeClock(), FakeClock()
    gw0, gw1 = Recorder("fleet", worker="gw0", wall=wall), Recorder("fleet", worker="gw1",
                                                                    wall=wall)
    gw0.add_router("r1", platform="M320", clock=c1.now)
    gw1.add_router("r2", platform="T640", clock=c2.now)
    for rec, clock, name in ((gw0, c1, "r1"), (gw1, c2, "r2")):
        rec.start_test(f"t.py::test_switch[{name}]", [name])
        run_op(rec, clock, name, switch("re0", "re1"))
        rec.end_test(f"t.py::test_switch[{name}]", "passed")
    write_json(gw0, tmp_path / "gw0.json")
    write_json(gw1, tmp_path / "gw1.json")
    (tmp_path / "notes.txt").write_text("not a part")

    merged = merge_parts(tmp_path)
    assert merged.testbed == "fleet"
    assert [(r.name, r.platform) for r in merged.routers()] == [("r1", "M320"), ("r2", "T640")]
    assert [t.nodeid for t in merged.tests()] == ["t.py::test_switch[r1]",
                                                  "t.py::test_switch[r2]"]
    assert len(merged.operations()) == 2
    root = parse(write_html(merged, tmp_path / "report.html"))
    assert [s.get("id") for s in root.iter("section")] == ["router-r1", "router-r2"]


def test_merge_parts_of_nothing_is_empty(tmp_path: Path) -> None:
    merged = merge_parts(tmp_path / "missing")
    assert merged.entries() == [] and merged.tests() == []
    root = parse(write_html(merged, tmp_path / "empty.html"))
    assert root.find(".//p[@class='empty']") is not None


def test_merge_parts_rejects_a_bad_part(tmp_path: Path) -> None:
    (tmp_path / "gw0.json").write_text("[]")
    with pytest.raises(ReportError, match="gw0.json"):
        merge_parts(tmp_path)


def test_timeline_entry_is_a_frozen_value() -> None:
    entry = TimelineEntry("r1", EntryKind.LOG_EVENT, T0, 1.0, "", LogDetail(None, "E_NULL",
                                                                            None, None, ""))
    with pytest.raises(AttributeError):
        entry.router = "r2"  # type: ignore[misc]


# --------------------------------------------------------------------------- sources, lanes


def test_entries_carry_their_source_and_lane(tmp_path: Path) -> None:
    rec = build_sample()
    by_kind = {(e.kind, e.source, e.lane) for e in rec.entries("mx960-a")}
    assert (EntryKind.STATE, Source.OBSERVED, "re0") in by_kind
    assert (EntryKind.STATE, Source.ROUTER_LOG, "re1") in by_kind
    assert (EntryKind.RESET, Source.HARNESS, None) in by_kind
    assert (EntryKind.OPERATION, Source.OPERATION, "re1") in by_kind
    assert (EntryKind.LOG_EVENT, Source.ROUTER_LOG, "re0") in by_kind
    assert {s for k, s, _ in by_kind if k in (EntryKind.TEST_START, EntryKind.TEST_END)} == {
        Source.PYTEST}
    data = to_dict(rec)
    assert {e["source"] for e in data["entries"]} == {s.value for s in Source}


def test_a_part_without_sources_and_lanes_still_loads(tmp_path: Path) -> None:
    data = to_dict(build_simple())
    for entry in data["entries"]:
        del entry["source"], entry["lane"]
    part = tmp_path / "old.json"
    part.write_text(json.dumps(data))
    loaded = load_json(part)
    assert [e.source for e in loaded.entries()] == [
        Source.PYTEST, Source.OBSERVED, Source.OBSERVED, Source.OPERATION, Source.OPERATION,
        Source.OPERATION, Source.PYTEST]
    assert all(e.lane is None for e in loaded.entries())
