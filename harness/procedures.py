"""Multi-step procedures of the "Host Redundancy" chapter, built only on the harness API.

Everything here goes through :class:`harness.router.DualRERouter` (its RPCs, its clock and its
faults), so it runs the same on a lab router and on the emulator.  It is what the acceptance
suites (``suites/``) share: configuration changes that undo themselves, role and FPC readers,
rebooting both Routing Engines for a new mastership election, mastership-log watches on both
REs, and the pre-upgrade profile's acceptance report.  The readiness checks are
:mod:`harness.readiness`'s, re-exported here for the suites that import them from here.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import mastership as ml
from harness import rpcs
from harness.junos import CommitReport
from harness.readiness import (
    ACCEPTANCE_TROUBLE,
    CheckResult,
    check_config_sync,
    check_gres,
    check_logs_clean,
    check_models,
    check_two_res,
    check_versions,
    failed_checks,
    readiness_checks,
)
from harness.router import DualRERouter, NoMasterError, OperationResult
from harness.session import SessionClosedError, SessionError

__all__ = [
    "ACCEPTANCE_TROUBLE",
    "AcceptanceReport",
    "CheckResult",
    "ConfigChanges",
    "LogWatch",
    "check_config_sync",
    "check_gres",
    "check_logs_clean",
    "check_models",
    "check_two_res",
    "check_versions",
    "failed_checks",
    "fpc_states",
    "readiness_checks",
    "reboot_all",
    "roles",
    "wait_roles",
]

log = logging.getLogger(__name__)

#: The syslog stamp that starts each raw log line (the timeline shows the time once).
_STAMP = re.compile(r"^[A-Z][a-z]{2} +\d+ [\d:]{8} ")

# ------------------------------------------------------------------------ configuration
def _text(lines: str | Iterable[str]) -> str:
    return lines if isinstance(lines, str) else "\n".join(lines)


class ConfigChanges:
    """Configuration changes a test makes, counted per RE so that :meth:`undo` can roll every
    RE back to what it had before (``rollback N`` + ``commit``)."""

    def __init__(self, router: DualRERouter) -> None:
        self.router = router
        self.commits: Counter[str] = Counter()

    def apply(self, lines: str | Iterable[str], *, via: str | None = None,
              synchronize: bool = True) -> CommitReport:
        """Load ``set`` lines on ``via`` (default: the master) and commit them, with
        ``commit synchronize`` by default (chapter "Synchronize Configurations").

        Returns the router's commit report.  Raises the harness errors of load/commit (a
        refused commit is an RpcFailedError).
        """
        target = via or self.router.master
        self.router.load_config(target, _text(lines), format="set")
        report = self.router.commit(target, synchronize=synchronize)
        self.commits[target] += 1
        if synchronize and not _other_re_ignored(report):
            for name in self.router.re_names:
                if name != target:
                    self.commits[name] += 1
        return report

    def apply_each(self, per_re: Mapping[str, str | Iterable[str]]
                   ) -> dict[str, CommitReport]:
        """Load and commit each RE's own lines on that RE, without synchronize (chapter:
        "Each Routing Engine only checks its own configuration").  Returns reports by RE."""
        return {name: self.apply(lines, via=name, synchronize=False)
                for name, lines in per_re.items()}

    def undo(self) -> None:
        """Roll each RE that still answers back by the number of commits made on it.

        An RE that does not answer (halted by the test) is logged and left as it is.
        """
        for name, count in sorted(self.commits.items()):
            if not self.router.answers(name):
                log.warning("%s/%s: not answering; its %d commit(s) are not rolled back",
                            self.router.name, name, count)
                continue
            self.router.rollback(name, count)
            self.router.commit(name)
        self.commits.clear()


def _other_re_ignored(report: CommitReport) -> bool:
    """Return True when a ``commit synchronize`` reply says the other RE was skipped."""
    return any("Cannot connect to other RE" in str(w) for w in report.warnings)


# ------------------------------------------------------------------------ status readers
def roles(router: DualRERouter, via: str | None = None) -> dict[str, str]:
    """Return ``{re: mastership-state}`` (lower case) as ``via`` reports it.

    Raises NoMasterError when no RE answers.
    """
    return router.state.roles(via)


def wait_roles(router: DualRERouter, expected: Mapping[str, str], timeout: float,
               what: str = "") -> dict[str, str]:
    """Wait until every RE of ``expected`` answers itself and reports the expected states.

    Returns the roles seen.  Raises WaitTimeoutError.
    """
    def seen() -> dict[str, str]:
        views = [_roles_or_none(router, name) for name in expected]
        ok = all(v is not None and all(v.get(n) == s for n, s in expected.items())
                 for v in views)
        return (views[0] or {}) if ok else {}

    label = what or ", ".join(f"{n} {s}" for n, s in expected.items())
    result: dict[str, str] = router.clock.wait_until(seen, timeout, label, poll=5.0)
    return result


def _roles_or_none(router: DualRERouter, via: str) -> dict[str, str] | None:
    if not router.answers(via):
        return None
    try:
        return roles(router, via=via)
    except (SessionError, NoMasterError):
        return None


def fpc_states(router: DualRERouter, re_name: str) -> dict[int, str]:
    """Return ``show chassis fpc`` on ``re_name`` as ``{slot: state}`` ("Online", ...)."""
    reply = router.rpc(re_name, rpcs.get_fpc_information())
    return {int(f.findtext("slot") or -1): (f.findtext("state") or "").strip()
            for f in reply.iter("fpc")}


# ------------------------------------------------------------------------ election
def reboot_all(router: DualRERouter, timeout: float | None = None) -> float:
    """``request system reboot both-routing-engines`` and wait until every RE answers again
    in a settled state (master, backup or disabled; possibly no master at all, as with two
    backup-configured REs).  This is what makes configured roles take effect: the chapter's
    mastership "election upon system boot".

    Returns the router seconds it took.  Raises DisruptiveNotAllowedError, WaitTimeoutError.
    """
    router.require_disruptive("reboot of both Routing Engines")
    limit = timeout or router.spec.timeouts.reboot
    via = _first_answering(router)
    t0 = router.clock.now()
    try:
        router.rpc(via, rpcs.request_reboot(rpcs.ShutdownScope.BOTH), retries=0)
    except SessionClosedError as exc:
        # The reply may be cut short by the reboot it caused; the end state decides.
        log.info("%s: reboot reply cut short (%s)", router.name, exc)
    for name in router.re_names:
        router.drop_session(name)
    router.clock.wait_until(lambda: not any(router.answers(n) for n in router.re_names),
                            limit, "both REs to go down", poll=1.0)
    router.clock.wait_until(lambda: all(router.state.settled(n, one_master=False)
                                        for n in router.re_names),
                            limit, "both REs to boot", poll=5.0)
    return router.clock.now() - t0


def _first_answering(router: DualRERouter) -> str:
    for name in router.re_names:
        if router.answers(name):
            return name
    raise NoMasterError(f"{router.name}: no Routing Engine answers")


# ------------------------------------------------------------------------ mastership log
@dataclass(slots=True)
class LogWatch:
    """Marks on every RE's mastership log; :meth:`since` shows only what came after."""

    router: DualRERouter
    marks: dict[str, ml.LogMark] = field(default_factory=dict)

    @classmethod
    def start(cls, router: DualRERouter) -> LogWatch:
        """Mark the log of every RE that answers now; return the watch."""
        watch = cls(router)
        for name in router.re_names:
            watch.marks[name] = router.mastership_log(name).mark()
        return watch

    def since(self, re_name: str) -> ml.MastershipLog:
        """Return ``re_name``'s log entries written since the mark (all of it if unmarked)."""
        current = self.router.mastership_log(re_name)
        mark = self.marks.get(re_name)
        return current.since(mark) if mark is not None else current

    def both(self) -> ml.MastershipLog:
        """Return every RE's new entries, merged in time order (each entry keeps its RE)."""
        return ml.MastershipLog.merged(*(self.since(n) for n in self.router.re_names))


# ------------------------------------------------------------------------ acceptance report
@dataclass(slots=True)
class AcceptanceReport:
    """What a pre-upgrade acceptance run found on one router, for a change ticket."""

    router: str
    platform: str
    checks: list[CheckResult] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, str]] = field(default_factory=list)
    tests: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Return True when every check passed and no test failed."""
        return all(c.passed for c in self.checks) and all(
            o in ("passed", "skipped") for o in self.tests.values())

    def add_operation(self, result: OperationResult) -> None:
        """Record an HA operation (switchover durations in router and wall seconds)."""
        self.operations.append(asdict(result))

    def add_timeline(self, entries: Iterable[ml.LogEntry]) -> None:
        """Record mastership-log entries (both REs, time order) as the run's timeline."""
        self.timeline += [{"time": e.timestamp.isoformat(sep=" "), "re": e.re or "",
                           "entry": _STAMP.sub("", " ".join(e.raw.split()))} for e in entries]

    def to_json(self) -> str:
        """Return the report as JSON (machine-readable acceptance result)."""
        return json.dumps({"router": self.router, "platform": self.platform,
                           "passed": self.passed, "checks": [asdict(c) for c in self.checks],
                           "operations": self.operations, "timeline": self.timeline,
                           "tests": self.tests}, indent=2)

    def to_text(self) -> str:
        """Return the report as plain text, to paste into a change ticket."""
        lines = [f"Routing Engine redundancy acceptance: {self.router} ({self.platform})",
                 f"Result: {'PASS' if self.passed else 'FAIL'}", "", "Readiness checks:"]
        lines += [f"  [{'PASS' if c.passed else 'FAIL'}] {c.name}: {c.detail}"
                  for c in self.checks]
        lines += ["", "Operations:"] + [_operation_line(o) for o in self.operations]
        lines += ["", "Tests:"] + [f"  {o:8} {t}" for t, o in sorted(self.tests.items())]
        lines += ["", "Timeline (mastership logs, both REs):"]
        lines += [f"  {e['time']}  {e['re']:4} {e['entry']}" for e in self.timeline]
        return "\n".join(lines) + "\n"

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write ``acceptance-<router>.json`` and ``.txt`` into ``directory``; return both."""
        directory.mkdir(parents=True, exist_ok=True)
        stem = directory / f"acceptance-{self.router}"
        paths = stem.with_suffix(".json"), stem.with_suffix(".txt")
        paths[0].write_text(self.to_json(), encoding="utf-8")
        paths[1].write_text(self.to_text(), encoding="utf-8")
        return paths


def _operation_line(op: Mapping[str, Any]) -> str:
    method = f" {op['method']}" if op.get("method") else ""
    return (f"  {op['operation']}{method}: {op['master_before']} -> {op['master_after']} in "
            f"{op['duration']:.1f} s router time ({op['wall_duration']:.2f} s wall)")
