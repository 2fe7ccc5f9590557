"""Multi-step procedures of the "Host Redundancy" chapter, built only on the harness API.

Everything here goes through :class:`harness.router.DualRERouter` (its RPCs, its clock and its
faults), so it runs the same on a lab router and on the emulator.  It is what the acceptance
suites (``suites/``) share: configuration changes that undo themselves, role and FPC readers,
rebooting both Routing Engines for a new mastership election, mastership-log watches on both
REs.  The readiness checks (:mod:`harness.readiness`) and the acceptance report
(:mod:`harness.report.acceptance`), with the switchover budget checks, are re-exported here for
the suites that import them from here.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from harness import mastership as ml
from harness import rpcs
from harness.junos import CommitReport
from harness.readiness import (
    ACCEPTANCE_TROUBLE,
    CheckResult,
    budget_checks,
    check_config_sync,
    check_gres,
    check_logs_clean,
    check_models,
    check_two_res,
    check_versions,
    failed_checks,
    readiness_checks,
)
from harness.report.acceptance import AcceptanceReport
from harness.router import DualRERouter, NoMasterError
from harness.router.status import parse_fpcs
from harness.session import SessionClosedError, SessionError

__all__ = [
    "ACCEPTANCE_TROUBLE",
    "AcceptanceReport",
    "CheckResult",
    "ConfigChanges",
    "LogWatch",
    "budget_checks",
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
    result: dict[str, str] = router.clock.wait_until(seen, timeout, label, poll=5.0,
                                                     state_only=True)
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
    return {f.slot: f.state for f in parse_fpcs(reply)}


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
                            limit, "both REs to go down", poll=1.0, state_only=True)
    router.clock.wait_until(lambda: all(router.state.settled(n, one_master=False)
                                        for n in router.re_names),
                            limit, "both REs to boot", poll=5.0, state_only=True)
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
