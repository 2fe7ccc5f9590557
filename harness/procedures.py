"""Multi-step procedures of the "Host Redundancy" chapter, built only on the harness API.

Everything here goes through :class:`harness.router.DualRERouter` (its RPCs, its clock and its
faults), so it runs the same on a lab router and on the emulator.  It is what the acceptance
suites (``suites/``) share: configuration changes that undo themselves, role and FPC readers,
rebooting both Routing Engines for a new mastership election, mastership-log watches on both
REs, the readiness checks of the pre-upgrade profile and its acceptance report.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from harness import mastership as ml
from harness.errors import HarnessError
from harness.junos import CommitReport, parse_software, parse_switchover
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

#: The states an RE settles in once booted (chapter: master, backup, or disabled).
SETTLED = frozenset({"master", "backup", "disabled"})

#: Log events that mean redundancy had trouble (Table 107): a pre-upgrade log must not show
#: them within the window looked at.
ACCEPTANCE_TROUBLE = (
    ml.EventCode.E_TMOUT, ml.EventCode.E_MAXTRY, ml.EventCode.E_NAK_C, ml.EventCode.E_NAK_Y,
    ml.EventCode.E_NO_IPC, ml.EventCode.E_NO_ORE,
)


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
    return {r.name: r.mastership_state.lower() for r in router.status(via=via)}


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
    reply = router.rpc(re_name, "<get-fpc-information/>")
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
        router.rpc(via, "<request-reboot><both-routing-engines/></request-reboot>", retries=0)
    except SessionClosedError as exc:
        # The reply may be cut short by the reboot it caused; the end state decides.
        log.info("%s: reboot reply cut short (%s)", router.name, exc)
    for name in router.re_names:
        router.drop_session(name)
    router.clock.wait_until(lambda: not any(router.answers(n) for n in router.re_names),
                            limit, "both REs to go down", poll=1.0)
    router.clock.wait_until(lambda: _all_settled(router), limit, "both REs to boot", poll=5.0)
    return router.clock.now() - t0


def _first_answering(router: DualRERouter) -> str:
    for name in router.re_names:
        if router.answers(name):
            return name
    raise NoMasterError(f"{router.name}: no Routing Engine answers")


def _all_settled(router: DualRERouter) -> bool:
    views = [_roles_or_none(router, name) for name in router.re_names]
    return all(v is not None and set(v.values()) <= SETTLED for v in views)


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


# ------------------------------------------------------------------------ readiness
@dataclass(frozen=True, slots=True)
class CheckResult:
    """One readiness check: its name, whether it passed, and what was seen."""

    name: str
    passed: bool
    detail: str


def check_two_res(router: DualRERouter) -> CheckResult:
    """Both REs present and answering, exactly one master (chapter "Determining Routing Engine
    Mastership")."""
    states = {name: _roles_or_none(router, name) for name in router.re_names}
    answering = [n for n, v in states.items() if v is not None]
    view = next((v for v in states.values() if v is not None), {})
    masters = [n for n, s in view.items() if s == "master"]
    ok = len(answering) == len(router.re_names) == 2 and len(masters) == 1
    return CheckResult("two-routing-engines", ok,
                       f"answering: {answering}; states: {view}")


def check_models(router: DualRERouter) -> CheckResult:
    """Same Routing Engine type in both slots (chapter "Avoiding Redundancy Problems", step 1)."""
    models = {r.name: r.model for r in router.status()}
    ok = len(models) == 2 and len(set(models.values())) == 1 and "" not in models.values()
    return CheckResult("same-re-model", ok, f"models: {models}")


def check_versions(router: DualRERouter) -> CheckResult:
    """Same Junos version on both REs (step 1), from ``show version invoke-on
    all-routing-engines``."""
    via = router.master
    reply = router.rpc(via, "<command>show version invoke-on all-routing-engines</command>")
    versions = {s.re_name: s.junos_version for s in parse_software(reply)}
    ok = len(versions) == 2 and len(set(versions.values())) == 1
    return CheckResult("same-junos-version", ok, f"versions: {versions}")


def check_gres(router: DualRERouter) -> CheckResult:
    """``show system switchover`` on the backup: when graceful-switchover is on, the backup must
    be ready; when it is off, the check passes and says the PFE will be re-initialised."""
    backup = router.backup
    if backup is None:
        return CheckResult("gres", False, "no backup Routing Engine")
    info = parse_switchover(router.rpc(backup, "<get-switchover-information/>"))
    if info.graceful_switchover.lower() != "on":
        return CheckResult("gres", True, "graceful-switchover off: a switchover will "
                           "re-initialise the PFE (traffic interrupted)")
    return CheckResult("gres", info.ready, f"graceful-switchover on; backup {backup} "
                       f"{'ready' if info.ready else 'NOT ready'} ({info.configuration_state}, "
                       f"{info.replication_state})")


def check_config_sync(router: DualRERouter) -> CheckResult:
    """The committed configurations of both REs are equal (step 3, "Synchronize
    Configurations").  Compared raw, without groups applied: re0/re1 groups differ by slot
    only once inherited, so equal raw files are what ``commit synchronize`` leaves."""
    texts = {name: router.committed_config(name) for name in router.re_names}
    ok = len(set(texts.values())) == 1
    sizes = {n: len(t.splitlines()) for n, t in texts.items()}
    return CheckResult("config-synchronised", ok,
                       "identical" if ok else f"differ (lines per RE: {sizes})")


def check_logs_clean(router: DualRERouter, window: float = 86400.0) -> CheckResult:
    """No trouble events (:data:`ACCEPTANCE_TROUBLE`, keepalive loss) in either RE's
    mastership log within the last ``window`` seconds of the router's own clock (its log
    timestamps are in its time zone, and a lab router's clock need not agree with ours)."""
    since = router.router_time() - timedelta(seconds=window)
    found = [f"{e.re}: {e.raw.strip()}" for name in router.re_names
             for e in router.mastership_log(name) if e.timestamp >= since and _trouble(e)]
    return CheckResult("mastership-logs-clean", not found,
                       "clean" if not found else "; ".join(found[:10]))


def _trouble(entry: ml.LogEntry) -> bool:
    if isinstance(entry, ml.MastershipEvent):
        return entry.code in ACCEPTANCE_TROUBLE
    return isinstance(entry, ml.KeepaliveLoss)


#: The pre-upgrade readiness checks, in the order they are reported.
READINESS: tuple[Callable[[DualRERouter], CheckResult], ...] = (
    check_two_res, check_models, check_versions, check_gres, check_config_sync,
    check_logs_clean,
)


def readiness_checks(router: DualRERouter) -> list[CheckResult]:
    """Run every readiness check; a check that cannot run at all is reported as failed with
    the error (the report must still be written)."""
    results = []
    for check in READINESS:
        name = check.__name__.removeprefix("check_").replace("_", "-")
        try:
            results.append(check(router))
        except HarnessError as exc:
            results.append(CheckResult(name, False, f"could not check: {exc}"))
    return results


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


def failed_checks(results: Sequence[CheckResult]) -> list[str]:
    """Return the names of the failed checks of ``results``."""
    return [r.name for r in results if not r.passed]
