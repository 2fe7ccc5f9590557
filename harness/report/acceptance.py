"""The acceptance report of the pre-upgrade profile, per router: what the readiness checks found,
the switchovers' "forwarding restored" and "backup ready" lines against the router's budgets,
the HA operations with their control-plane, data-plane and backup-ready times, the
mastership-log timeline of both REs, the tests' outcomes and the pre/post snapshot diffs,
rendered as JSON (for machines) and plain text (for a change ticket).

:class:`AcceptanceReport` collects (the suites' ``acceptance_report`` fixture hands it to the
tests); :func:`render_json` and :func:`render_text` render it; :meth:`AcceptanceReport.write`
stores both through the report store's atomic writer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import mastership as ml
from harness.readiness import CheckResult
from harness.report.model import OperationDetail
from harness.report.store import write_atomic
from harness.router import OperationResult
from harness.snapshots.diff import SnapshotDiff

__all__ = ["AcceptanceReport", "LogLine", "render_json", "render_text"]

#: The syslog stamp that starts each raw log line (the timeline shows the time once).
_STAMP = re.compile(r"^[A-Z][a-z]{2} +\d+ [\d:]{8} ")


@dataclass(frozen=True, slots=True)
class LogLine:
    """A mastership-log entry of the timeline: its time, its RE and its text without stamp."""

    time: str
    re: str
    entry: str

    @classmethod
    def of(cls, entry: ml.LogEntry) -> LogLine:
        """Return the line of one parsed log entry."""
        return cls(entry.timestamp.isoformat(sep=" "), entry.re or "",
                   _STAMP.sub("", " ".join(entry.raw.split())))


@dataclass(slots=True)
class AcceptanceReport:
    """What a pre-upgrade acceptance run found on one router, for a change ticket."""

    router: str
    platform: str
    checks: list[CheckResult] = field(default_factory=list)
    operations: list[OperationDetail] = field(default_factory=list)
    timeline: list[LogLine] = field(default_factory=list)
    tests: dict[str, str] = field(default_factory=dict)
    #: Pre/post snapshot diffs (JSON data, with their plain words under ``text``).
    snapshots: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Return True when every check passed and no test failed."""
        return all(c.passed for c in self.checks) and all(
            o in ("passed", "skipped") for o in self.tests.values())

    def add_operation(self, result: OperationResult) -> None:
        """Record an HA operation (durations in router and wall seconds)."""
        self.operations.append(OperationDetail.of(result))

    def add_timeline(self, entries: Iterable[ml.LogEntry]) -> None:
        """Record mastership-log entries (both REs, time order) as the run's timeline."""
        self.timeline += [LogLine.of(e) for e in entries]

    def add_snapshot_diff(self, diff: SnapshotDiff) -> None:
        """Record a pre/post snapshot diff (harness.snapshots) of a test."""
        self.snapshots.append({**diff.to_dict(), "text": diff.explain()})

    def to_json(self) -> str:
        """Return :func:`render_json` of the report."""
        return render_json(self)

    def to_text(self) -> str:
        """Return :func:`render_text` of the report."""
        return render_text(self)

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write ``acceptance-<router>.json`` and ``.txt`` into ``directory``; return both.

        Raises ReportError when they cannot be written.
        """
        stem = directory / f"acceptance-{self.router}"
        paths = stem.with_suffix(".json"), stem.with_suffix(".txt")
        write_atomic(paths[0], render_json(self))
        write_atomic(paths[1], render_text(self))
        return paths


def render_json(report: AcceptanceReport) -> str:
    """Return the report as JSON (the machine-readable acceptance result)."""
    return json.dumps({"router": report.router, "platform": report.platform,
                       "passed": report.passed, "checks": [asdict(c) for c in report.checks],
                       "operations": [asdict(o) for o in report.operations],
                       "timeline": [asdict(line) for line in report.timeline],
                       "tests": report.tests, "snapshots": report.snapshots}, indent=2)


def render_text(report: AcceptanceReport) -> str:
    """Return the report as plain text, to paste into a change ticket."""
    lines = [f"Routing Engine redundancy acceptance: {report.router} ({report.platform})",
             f"Result: {'PASS' if report.passed else 'FAIL'}", "", "Readiness checks:"]
    lines += [f"  {c.line()}" for c in report.checks]
    lines += ["", "Operations:"] + [_operation_line(o) for o in report.operations]
    lines += ["", "Tests:"] + [f"  {o:8} {t}" for t, o in sorted(report.tests.items())]
    lines += ["", "Timeline (mastership logs, both REs):"]
    lines += [f"  {e.time}  {e.re:4} {e.entry}" for e in report.timeline]
    if report.snapshots:
        lines += ["", "Pre/post snapshots (what else changed on the router):"]
        lines += [f"  {line}" for diff in report.snapshots
                  for line in str(diff["text"]).splitlines()]
    return "\n".join(lines) + "\n"


def _operation_line(op: OperationDetail) -> str:
    method = f" {op.method}" if op.method else ""
    line = (f"  {op.operation}{method}: {op.master_before} -> {op.master_after} in "
            f"{op.duration:.1f} s router time ({op.wall_duration:.2f} s wall)")
    phases = [f"{name} {value:.1f} s" for name, value in (
        ("control plane", op.control_plane), ("data plane", op.data_plane),
        ("backup ready", op.backup_ready)) if value is not None]
    if op.fpcs_stayed_online is not None:
        phases.append("FPCs stayed online" if op.fpcs_stayed_online else "FPCs re-initialised")
    return line + (f"; until {op.until}: " + ", ".join(phases) if phases else "")
