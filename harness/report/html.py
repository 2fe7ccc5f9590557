"""The HTML renderer of the run report: one self-contained file (inline CSS and SVG, no script,
no external URL) an engineer can attach to a change ticket.

A summary header (verdict, counts, switchover times per plane, the table of tests), then per
router its timeline (:mod:`harness.report.layout`), its operations with their control-plane,
data-plane and backup-ready times, the disruptive actions tests took on it (lab routers) and the
mastership-log events matched.  The page
is written by Jinja2 templates (``templates/``, autoescaped) from frozen rows computed here; the
output is also well-formed XML, so tests read it with ``xml.etree``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from harness.report import layout as geo
from harness.report.formats import clock_text, fmt_secs, utc
from harness.report.layout import OUTCOME_FILL, ROLE_FILL, TimelineView
from harness.report.model import (
    DisruptionDetail,
    LogDetail,
    OperationDetail,
    RouterInfo,
    TestRecord,
)
from harness.report.recorder import Recorder, op_details, summary, switchover_timings
from harness.report.store import write_atomic
from harness.report.timeline import Placed, Role, place, span

__all__ = ["DEFAULT_TITLE", "render_html", "write_html"]

DEFAULT_TITLE = "Routing Engine redundancy acceptance report"
_SVG_NS = "http://www.w3.org/2000/svg"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True, slots=True)
class TestRow:
    """A row of the tests table."""

    __test__ = False  # not a test class for pytest to collect

    nodeid: str
    routers: str
    outcome: str
    fill: str | None
    duration: str
    message: str


@dataclass(frozen=True, slots=True)
class OperationRow:
    """A row of a router's operations table."""

    n: int
    ended: str
    nodeid: str
    operation: str
    method: str
    target: str
    masters: str
    until: str
    control_plane: str
    data_plane: str
    fpcs: str
    backup_ready: str
    duration: str
    wall_duration: str


@dataclass(frozen=True, slots=True)
class DisruptionRow:
    """A row of a router's table of disruptive actions (lab routers)."""

    stamp: str
    nodeid: str
    kind: str
    what: str
    re: str


@dataclass(frozen=True, slots=True)
class LogRow:
    """A row of a router's table of matched mastership-log events."""

    stamp: str
    re: str
    code: str
    state: str
    param: str
    text: str


@dataclass(frozen=True, slots=True)
class RouterSection:
    """One router's part of the page."""

    name: str
    heading: str
    meta: str
    timeline: TimelineView
    operations: tuple[OperationRow, ...]
    disruptions: tuple[DisruptionRow, ...] | None
    log_events: tuple[LogRow, ...]


def render_html(recorder: Recorder, title: str = DEFAULT_TITLE) -> str:
    """Return the whole report as one HTML document (no script, no external URL)."""
    facts = summary(recorder)
    return _ENV.get_template("report.html.j2").render(
        title=title, verdict=facts["verdict"], testbed=recorder.testbed or "(unnamed)",
        generated=utc(time.time()).strftime("%Y-%m-%d %H:%M:%S UTC"),
        cards=_cards(recorder, facts["tests"]), tests=_test_rows(recorder.tests()),
        sections=[_section(info, recorder) for info in recorder.routers()],
        legend=[(role.value, ROLE_FILL[role]) for role in Role],
        phase_legend=[(label, fill) for _, label, fill in geo.PHASES], svg_ns=_SVG_NS, geo=geo,
    )


def write_html(recorder: Recorder, path: str | os.PathLike[str], *,
               title: str = DEFAULT_TITLE) -> Path:
    """Write the report of ``recorder`` to ``path``.  Return the path.

    Raises ReportError when it cannot be written.
    """
    target = Path(path)
    write_atomic(target, render_html(recorder, title))
    return target


def _cards(recorder: Recorder, counts: dict[str, int]) -> list[tuple[str, str]]:
    """Return the (value, name) count cards: tests, outcomes, operations, and the switchover
    times per plane (the data plane split by whether the FPCs stayed online)."""
    ops = op_details(recorder.operations())
    cards = [(str(sum(counts.values())), "tests")]
    cards += [(str(n), name) for name, n in counts.items()]
    cards.append((str(len(ops)), "HA operations"))
    timings = switchover_timings(ops)
    if timings["count"]:
        cards.append((str(timings["count"]), "switchovers"))
    for key, name in (("control_plane", "control plane (new master answers)"),
                      ("fpcs_reinitialised", "data plane, FPCs re-initialised (no GRES)"),
                      ("fpcs_kept_online", "data plane, FPCs stayed online (GRES)"),
                      ("backup_ready", "backup ready")):
        stats = timings.get(key)
        if stats:
            cards.append((f"{fmt_secs(stats['mean'])} mean / {fmt_secs(stats['max'])} max",
                          f"{name}, {stats['count']} switchover(s)"))
    return cards


def _test_rows(tests: Sequence[TestRecord]) -> list[TestRow]:
    return [TestRow(t.nodeid, ", ".join(t.routers) or "-",
                    t.outcome.value if t.outcome else "unfinished",
                    OUTCOME_FILL[t.outcome] if t.outcome else None, fmt_secs(t.duration),
                    t.message) for t in tests]


def _section(info: RouterInfo, recorder: Recorder) -> RouterSection:
    """Return one router's part: heading, time range, timeline, operations and log events."""
    placed = place(recorder.entries(info.name))
    lo, hi = span(placed)
    meta = (f"router time from {utc(lo).strftime('%Y-%m-%d %H:%M:%S')} to "
            f"{utc(hi).strftime('%Y-%m-%d %H:%M:%S')} UTC; hover a bar or a marker for "
            "details")
    heading = info.name + (f" ({info.platform})" if info.platform else "")
    return RouterSection(info.name, heading, meta, geo.layout(info, placed),
                         _operation_rows(placed), _disruption_rows(info, placed),
                         _log_rows(placed))


def _secs_or_dash(seconds: float | None) -> str:
    return "-" if seconds is None else fmt_secs(seconds)


def _fpcs(d: OperationDetail) -> str:
    if d.fpcs_stayed_online is None:
        return "-"
    return "stayed online" if d.fpcs_stayed_online else "re-initialised"


def _operation_rows(placed: Sequence[Placed]) -> tuple[OperationRow, ...]:
    ops = [(p, p.entry.detail) for p in placed if isinstance(p.entry.detail, OperationDetail)]
    return tuple(
        OperationRow(n, clock_text(p.at, True), p.entry.nodeid or "-", d.operation,
                     d.method or "-", d.target,
                     f"{d.master_before or 'none'} → {d.master_after or 'none'}",
                     d.until or "-", _secs_or_dash(d.control_plane),
                     _secs_or_dash(d.data_plane), _fpcs(d), _secs_or_dash(d.backup_ready),
                     fmt_secs(d.duration), fmt_secs(d.wall_duration))
        for n, (p, d) in enumerate(ops, 1) if isinstance(d, OperationDetail))


def _disruption_rows(info: RouterInfo, placed: Sequence[Placed]
                     ) -> tuple[DisruptionRow, ...] | None:
    """Return the disruptive actions taken on a lab router, in order (None for an emulated
    router: the report lists only what was done to lab routers)."""
    rows = tuple(DisruptionRow(clock_text(p.at), p.entry.nodeid or "-", d.kind, d.what,
                               d.re or "-")
                 for p in placed if isinstance(d := p.entry.detail, DisruptionDetail))
    return rows if info.lab or rows else None


def _log_rows(placed: Sequence[Placed]) -> tuple[LogRow, ...]:
    return tuple(
        LogRow(clock_text(p.at), d.re or "?", d.code, d.state or "",
               "" if d.param is None else f"0x{d.param:x}", d.text)
        for p in placed if isinstance(d := p.entry.detail, LogDetail))
