"""Tests of the report's timeline: lanes drawn only from what the router reported, resets as
breaks, the operations' control-plane / data-plane / backup-ready spans, and labels laid out so
that none overlaps (by the layout's estimate here; ``tests/integration/
test_harness_report_browser.py`` measures them in Chromium).  Recorders built by hand; no
network."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report import Recorder, write_html
from harness.report.layout import LABEL_ROWS, OperationView, layout, text_width
from harness.report.model import RouterInfo
from harness.report.timeline import Role, Segment, lane_names, lane_segments, place, role_of
from harness.router import SwitchoverResult
from harness.router.results import Phases, Seen
from tests.unit.test_report import FakeWall as Wall

SVG = "{http://www.w3.org/2000/svg}"
T0 = 1_717_236_000.0


def seen(at: float, **states: str) -> list[Seen]:
    return [Seen(at, lane, state, f"{lane}: show") for lane, state in states.items()]


def switch(before: str, after: str, started: float, phases: Phases,
           seen_: tuple[Seen, ...] = ()) -> SwitchoverResult:
    took = max(v for v in (phases.control_plane, phases.data_plane, phases.backup_ready, 0.0)
               if v is not None)
    return SwitchoverResult(operation="switchover", target=after, master_before=before,
                            master_after=after, duration=took, wall_duration=0.2,
                            started=started, until="redundant", phases=phases, seen=seen_)


def segments(rec: Recorder, router: str = "r1") -> dict[str, list[Segment]]:
    placed = place(rec.entries(router))
    info = next(r for r in rec.routers() if r.name == router)
    return lane_segments(placed, lane_names(info, placed))


def spans(segs: list[Segment]) -> list[tuple[float, float, str]]:
    return [(s.start - T0, s.end - T0, s.state) for s in segs]


# --------------------------------------------------------------------------- the lane rule


def test_a_lane_holds_each_reported_state_until_the_next_report_of_another() -> None:
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1")
    rec.record_states("r1", seen(T0, re0="master", re1="backup"))
    rec.record_states("r1", seen(T0 + 10, re0="master"))        # same state: one segment
    rec.record_states("r1", seen(T0 + 20, re0="giveup"))
    rec.record_states("r1", seen(T0 + 21, re0="backup", re1="master"))
    rec.record_states("r1", seen(T0 + 30, fpc0="online"))

    lanes = segments(rec)
    assert list(lanes) == ["re0", "re1", "fpc0"]
    assert spans(lanes["re0"]) == [(0, 20, "master"), (20, 21, "giveup"), (21, 30, "backup")]
    assert spans(lanes["re1"]) == [(0, 21, "backup"), (21, 30, "master")]
    assert spans(lanes["fpc0"]) == []  # reported at the last instant: no length


def test_a_reset_is_a_break_that_no_state_crosses() -> None:
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1")
    rec.record_states("r1", seen(T0, re0="master"))
    rec.record_reset("r1", T0 + 50)
    rec.record_states("r1", seen(T0 + 50, re0="master"))        # same state, after the break
    rec.record_states("r1", seen(T0 + 80, re1="backup"))

    assert spans(segments(rec)["re0"]) == [(0, 50, "master"), (50, 80, "master")]
    assert spans(segments(rec)["re1"]) == []


def test_lanes_come_from_reports_not_from_the_harness_operations() -> None:
    # The issue's report: the harness's operations said re0 stayed master, while re1's log
    # said it became master and no RE answered as master for a while.  The lanes follow the
    # router.
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1")
    rec.record_states("r1", seen(T0, re0="master", re1="backup"))
    rec.record_operation("r1", switch("re0", "re0", T0 + 5, Phases(1.0)))  # claims re0 stays
    rec.record_states("r1", [Seen(T0 + 360, "re1", "master", "re1: mastership log")])
    rec.record_states("r1", seen(T0 + 720, re0="not answering", re1="not answering"))
    rec.record_states("r1", seen(T0 + 1320, re0="backup", re1="master"))

    lanes = segments(rec)
    assert spans(lanes["re0"]) == [(0, 720, "master"), (720, 1320, "not answering")]
    assert spans(lanes["re1"]) == [(0, 360, "backup"), (360, 720, "master"),
                                   (720, 1320, "not answering")]
    assert role_of("not answering") is Role.DOWN and role_of("n/a") is Role.UNKNOWN


def test_lanes_are_res_then_readiness_then_fpcs_in_slot_order() -> None:
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1", re_names=("re0", "re1"))
    rec.record_states("r1", seen(T0, fpc10="online", fpc2="online", **{"re1 ready": "ready"}))
    placed = place(rec.entries("r1"))
    info = rec.routers()[0]
    assert lane_names(info, placed) == ["re0", "re1", "re1 ready", "fpc2", "fpc10"]


# --------------------------------------------------------------------------- spans, labels


def _two_switchovers() -> Recorder:
    """No GRES (FPCs re-initialised, 45 s), then GRES (FPCs stayed online, backup ready
    after 240 s)."""
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1", platform="MX480")
    rec.start_test("t.py::test_a[r1]", ["r1"])
    rec.record_states("r1", seen(T0, re0="master", re1="backup", fpc0="online"))
    rec.record_operation("r1", switch("re0", "re1", T0 + 10, Phases(2.0, 45.0, 3.0, False),
                                      (Seen(T0 + 12, "fpc0", "offline", "re1: fpc"),
                                       Seen(T0 + 55, "fpc0", "online", "re1: fpc"))))
    rec.end_test("t.py::test_a[r1]", "passed")
    rec.record_reset("r1", T0 + 400)
    rec.start_test("t.py::test_b[r1]", ["r1"])
    rec.record_states("r1", seen(T0 + 400, re0="master", re1="backup", fpc0="online"))
    rec.record_operation("r1", switch("re0", "re1", T0 + 410, Phases(2.0, 0.0, 240.0, True)))
    rec.end_test("t.py::test_b[r1]", "passed")
    return rec


def test_each_operation_draws_its_phases_from_the_command() -> None:
    rec = _two_switchovers()
    view = layout(rec.routers()[0], place(rec.entries("r1")))
    first, second = view.operations
    axis = view.axis
    assert [(p.phase, p.seconds) for p in first.phases] == [
        ("control_plane", 2.0), ("data_plane", 45.0), ("backup_ready", 3.0)]
    for op in (first, second):
        for phase in op.phases:
            assert phase.x == axis.x(phase.start)
            assert abs(phase.x + phase.width - axis.x(phase.end)) < 0.05 or phase.width == 2.0
    data = {op.n: next(p for p in op.phases if p.phase == "data_plane") for op in (first, second)}
    assert "FPCs re-initialised" in data[1].title and "FPCs stayed online" in data[2].title
    assert data[2].seconds == 0 and data[2].width == 2.0  # shown, though of no length


def _labelled(ops: tuple[OperationView, ...]) -> list[tuple[int, float, float]]:
    return [(round(o.label_y), o.label_x - text_width(o.label) / 2,
             o.label_x + text_width(o.label) / 2) for o in ops if o.label]


def test_clustered_operation_labels_never_overlap_and_overflow_to_hover() -> None:
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1")
    rec.record_states("r1", seen(T0, re0="master"))
    for k in range(12):  # twelve switchovers within a few seconds of a 1-hour axis
        rec.record_operation("r1", switch("re0", "re1", T0 + 1800 + k, Phases(0.5)))
    rec.record_states("r1", seen(T0 + 3600, re0="master"))
    view = layout(rec.routers()[0], place(rec.entries("r1")))

    boxes = _labelled(view.operations)
    for i, (row, lo, hi) in enumerate(boxes):
        for row2, lo2, hi2 in boxes[i + 1:]:
            assert row != row2 or hi <= lo2 or hi2 <= lo
    assert len(boxes) <= LABEL_ROWS * 2
    assert len(view.operations) == 12  # every operation drawn, labelled or not
    unlabelled = [o for o in view.operations if o.label is None]
    assert unlabelled and all(o.title.startswith(f"#{o.n} ") for o in unlabelled)


def test_a_segment_names_its_state_only_where_the_name_fits() -> None:
    rec = Recorder("tb", wall=Wall())
    rec.add_router("r1")
    rec.record_states("r1", seen(T0, re0="master"))
    rec.record_states("r1", seen(T0 + 3590, re0="backup"))
    rec.record_states("r1", seen(T0 + 3600, re1="backup"))
    view = layout(rec.routers()[0], place(rec.entries("r1")))
    (wide, narrow) = view.lanes[0].segments
    assert wide.label == "master" and narrow.label is None
    assert narrow.width < text_width("backup")


def test_html_timeline_carries_the_times_it_stands_for(tmp_path: Path) -> None:
    root = ET.fromstring(write_html(_two_switchovers(), tmp_path / "r.html").read_text())
    svg = next(root.iter(f"{SVG}svg"))
    assert float(svg.get("data-t0", "0")) < T0 < float(svg.get("data-t1", "0"))
    segs = [(r.get("data-lane"), r.get("data-state"), float(r.get("data-start", 0)) - T0,
             float(r.get("data-end", 0)) - T0)
            for r in svg.iter(f"{SVG}rect") if r.get("data-lane")]
    assert ("fpc0", "offline", 12.0, 55.0) in segs
    assert ("re0", "master", 0.0, 400.0) in segs
    # After the break: until the last entry (the test's end, its router time estimated).
    assert [s[3] >= 650.0 for s in segs if s[:3] == ("re0", "master", 400.0)] == [True]
    resets = [float(line.get("data-at", 0)) - T0 for line in svg.iter(f"{SVG}line")
              if line.get("class") == "reset"]
    assert resets == [400.0]
    phases = sorted((r.get("data-phase"), float(r.get("data-seconds", -1)))
                    for r in svg.iter(f"{SVG}rect") if r.get("data-phase"))
    assert phases == [("backup_ready", 3.0), ("backup_ready", 240.0), ("control_plane", 2.0),
                      ("control_plane", 2.0), ("data_plane", 0.0), ("data_plane", 45.0)]
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "op-label"]
    assert labels == ["1 switch → re1", "2 switch → re1"]


def test_router_info_of_a_lab_router_lists_its_disruptions(tmp_path: Path) -> None:
    from harness.faults import Disruption, DisruptiveAction

    rec = Recorder("lab", wall=Wall())
    rec.add_router("lab1", lab=True)
    rec.add_router("emu1")
    rec.start_test("t.py::test_x[lab1]", ["lab1"])
    rec.record_disruption(DisruptiveAction("lab1", Disruption.HALT, "halt of re1", "re1", True),
                          T0)
    rec.end_test("t.py::test_x[lab1]", "passed")
    assert rec.routers()[0] == RouterInfo("lab1", "", ("re0", "re1"), True)
    root = ET.fromstring(write_html(rec, tmp_path / "r.html").read_text())
    sections = {s.get("id"): s for s in root.iter("section")}
    lab = sections["router-lab1"]
    table = next(t for t in lab.iter("table") if t.get("class") == "disruptions")
    rows = [["".join(td.itertext()) for td in tr.findall("td")]
            for tr in table.iter("tr") if tr.findall("td")]
    assert rows == [["10:00:00", "t.py::test_x[lab1]", "halt", "halt of re1", "re1"]]
    assert not any(t.get("class") == "disruptions" for t in sections["router-emu1"].iter("table"))
