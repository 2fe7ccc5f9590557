"""Readiness checks of a dual-RE router: the one set the suites, the acceptance profile and a
fixture that gates a switchover all use.

Each check is a function ``check_*(router) -> CheckResult`` that never raises for a router that
does not answer (the check then fails, saying why).  :func:`check_readiness` runs a set of
:class:`Gate` s and returns a :class:`ReadinessReport`; :func:`require_ready` raises
:class:`NotReadyError` listing every failed gate; :func:`readiness_checks` runs the pre-upgrade
profile (:data:`PRE_UPGRADE`) for the acceptance report.

The gates (chapter "Host Redundancy Overview" and real Junos behaviour):

- ``BOTH_PRESENT``: each RE answers for itself; one says master, the other backup
  ("Determining Routing Engine Mastership").
- ``SAME_MODEL``: ``show chassis routing-engine`` names one RE model for both slots
  ("Avoiding Redundancy Problems", step 1).
- ``SAME_VERSION``: ``show version invoke-on all-routing-engines`` names one Junos version
  (step 1).
- ``GRACEFUL_SWITCHOVER``: ``show system switchover`` on the backup: with graceful-switchover
  configured, "Ready"; without it, the gate passes (and says the PFE will be re-initialised)
  unless GRES is required.
- ``CONFIG_SYNCED``: the *raw* committed configurations of the two REs are equal (step 3).  Raw,
  not ``inherit="inherit"``: groups re0/re1 are meant to differ per slot (host-name, fxp0
  address), so the inherited views always differ; both groups live in the one shared
  configuration, which is what ``commit synchronize`` copies (NOTES.md 3.6, D11/D12).
- ``LOGS_CLEAN``: no trouble event (:data:`ACCEPTANCE_TROUBLE`, keepalive loss) in either RE's
  mastership log within a window of the router's own clock ("Determining Why Mastership
  Switched").
- ``HOLD_DOWN``: no hold-down left (``request chassis routing-engine master switch check``;
  real Junos refuses a switch within 240 s of the previous one or of an RE boot).  A property
  of "now", not of the router: not part of :data:`PRE_UPGRADE`.

After a switchover, :func:`check_forwarding_restored` and :func:`check_backup_ready` hold its
measured data-plane and backup-ready times (router seconds from the command) to the router's
:class:`~re_contract.testbed.Budgets` (testbed key ``budgets``): the acceptance report's
"forwarding restored" and "backup ready" lines.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from harness import mastership as ml
from harness import rpcs
from harness.errors import HarnessError, NoMasterError, SessionError
from harness.junos import parse_software, parse_switchover
from harness.router import DualRERouter, OperationResult
from re_contract.testbed import Budgets

__all__ = [
    "ACCEPTANCE_TROUBLE",
    "BACKUP_READY",
    "FORWARDING_RESTORED",
    "PRE_UPGRADE",
    "CheckResult",
    "Gate",
    "NotReadyError",
    "ReadinessReport",
    "budget_checks",
    "check_backup_ready",
    "check_config_sync",
    "check_forwarding_restored",
    "check_gres",
    "check_hold_down",
    "check_logs_clean",
    "check_models",
    "check_readiness",
    "check_two_res",
    "check_versions",
    "failed_checks",
    "readiness_checks",
    "require_ready",
]

log = logging.getLogger(__name__)

#: Log events that mean redundancy had trouble (Table 107): a pre-upgrade log must not show
#: them within the window looked at.
ACCEPTANCE_TROUBLE = (
    ml.EventCode.E_TMOUT, ml.EventCode.E_MAXTRY, ml.EventCode.E_NAK_C, ml.EventCode.E_NAK_Y,
    ml.EventCode.E_NO_IPC, ml.EventCode.E_NO_ORE,
)


class Gate(Enum):
    """The readiness gates, in the order they are checked; the value is the check's name in
    reports (text and JSON)."""

    BOTH_PRESENT = "two-routing-engines"
    SAME_MODEL = "same-re-model"
    SAME_VERSION = "same-junos-version"
    GRACEFUL_SWITCHOVER = "gres"
    CONFIG_SYNCED = "config-synchronised"
    LOGS_CLEAN = "mastership-logs-clean"
    HOLD_DOWN = "switchover-hold-down"


#: The pre-upgrade readiness profile (the acceptance report's checks), in report order.
PRE_UPGRADE: tuple[Gate, ...] = tuple(g for g in Gate if g is not Gate.HOLD_DOWN)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check: its ``name`` (a :class:`Gate`'s value, or a suite's own), whether it
    ``passed``, a one-line ``detail`` and the per-RE ``values`` seen."""

    name: str
    passed: bool
    detail: str
    values: tuple[tuple[str, str], ...] = ()

    @property
    def gate(self) -> Gate | None:
        """Return the gate this result is of, or None for a check of a suite's own."""
        return next((g for g in Gate if g.value == self.name), None)

    def line(self) -> str:
        """Return ``[PASS] name: detail`` / ``[FAIL] name: detail``."""
        return f"[{'PASS' if self.passed else 'FAIL'}] {self.name}: {self.detail}"


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """Every gate checked on one router."""

    router: str
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        """Return True when every gate passed."""
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """Return the gates that failed."""
        return tuple(r for r in self.results if not r.passed)

    def result(self, gate: Gate) -> CheckResult:
        """Return the result of ``gate``.  Raises KeyError when it was not checked."""
        for r in self.results:
            if r.gate is gate:
                return r
        raise KeyError(gate)

    def explain(self) -> str:
        """Return one line per gate, headed by the router and the verdict."""
        head = f"{self.router}: {'ready' if self.passed else 'NOT ready'} for a switchover"
        return "\n".join([head, *(f"  {r.line()}" for r in self.results)])


class NotReadyError(HarnessError):
    """A readiness gate failed; ``report`` holds every gate.  At fault: the router's state."""

    def __init__(self, report: ReadinessReport) -> None:
        """Record the report; the message lists every gate."""
        super().__init__(report.explain())
        self.report = report


def _could_not(gate: Gate, exc: BaseException) -> CheckResult:
    return CheckResult(gate.value, False, f"could not check: {type(exc).__name__}: {exc}")


# ------------------------------------------------------------------------ the checks
def check_two_res(router: DualRERouter) -> CheckResult:
    """Return whether both REs answer for themselves, one as master and the other as backup."""
    seen = tuple((name, _own_state(router, name)) for name in router.re_names)
    ok = sorted(s for _, s in seen) == ["backup", "master"]
    return CheckResult(Gate.BOTH_PRESENT.value, ok, ", ".join(f"{n} {s}" for n, s in seen), seen)


def _own_state(router: DualRERouter, name: str) -> str:
    """Return the mastership state ``name`` reports for itself, or why it reports none."""
    try:
        return next((r.mastership_state.lower() for r in router.status(via=name)
                     if r.name == name), "absent")
    except SessionError as exc:
        return f"not answering ({type(exc).__name__})"
    except NoMasterError:
        return "not answering"


def check_models(router: DualRERouter) -> CheckResult:
    """Return whether both slots hold the same, named, RE model (``show chassis
    routing-engine``)."""
    gate = Gate.SAME_MODEL
    try:
        models = tuple((r.name, r.model) for r in router.status())
    except HarnessError as exc:
        return _could_not(gate, exc)
    ok = len(models) == 2 and len({m for _, m in models}) == 1 and all(m for _, m in models)
    return CheckResult(gate.value, ok, ", ".join(f"{n} {m or '?'}" for n, m in models), models)


def check_versions(router: DualRERouter) -> CheckResult:
    """Return whether both REs run the same, named, Junos version (``show version invoke-on
    all-routing-engines`` on the master)."""
    gate = Gate.SAME_VERSION
    try:
        reply = router.rpc("master", rpcs.command("show version invoke-on all-routing-engines",
                                                  text=False))
    except HarnessError as exc:
        return _could_not(gate, exc)
    versions = tuple((s.re_name, s.junos_version) for s in parse_software(reply))
    ok = len(versions) == 2 and len({v for _, v in versions}) == 1 and all(
        v for _, v in versions)
    detail = ", ".join(f"{n} {v or '?'}" for n, v in versions) or "no software-information"
    return CheckResult(gate.value, ok, detail, versions)


def check_gres(router: DualRERouter, required: bool = False) -> CheckResult:
    """Return the graceful-switchover state on the backup (``show system switchover``):
    with GRES on, it must say Ready; with GRES off the check passes unless ``required``."""
    gate = Gate.GRACEFUL_SWITCHOVER
    try:
        backup = router.backup
        if backup is None:
            return CheckResult(gate.value, False, "no backup Routing Engine")
        info = parse_switchover(router.rpc(backup, rpcs.get_switchover_information()))
    except HarnessError as exc:
        return _could_not(gate, exc)
    values = (("graceful-switchover", info.graceful_switchover),
              ("configuration", info.configuration_state),
              ("replication", info.replication_state), ("ready", str(info.ready)))
    if info.graceful_switchover.lower() != "on":
        detail = ("graceful-switchover is not configured: a switchover re-initialises the PFE "
                  "(traffic interrupted)")
        return CheckResult(gate.value, not required, detail, values)
    detail = (f"on, {'Ready' if info.ready else 'Not Ready'} on backup {backup} (configuration "
              f"{info.configuration_state or '?'}, replication {info.replication_state or '?'})")
    return CheckResult(gate.value, info.ready, detail, values)


def check_config_sync(router: DualRERouter) -> CheckResult:
    """Return whether the raw committed configurations of both REs are equal (see the module
    docstring for why raw, not inherited); the detail shows the first differing lines."""
    gate = Gate.CONFIG_SYNCED
    try:
        texts = {name: router.committed_config(name) for name in router.re_names}
    except HarnessError as exc:
        return _could_not(gate, exc)
    if len(texts) != 2:
        return CheckResult(gate.value, False, f"{len(texts)} RE(s)")
    (a, ta), (b, tb) = texts.items()
    if ta == tb:
        return CheckResult(gate.value, True, f"{a} and {b} committed configurations are equal")
    diff = [line for line in difflib.unified_diff(ta.splitlines(), tb.splitlines(), a, b,
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return CheckResult(gate.value, False, f"{a} and {b} differ: " + "; ".join(diff[:4]),
                       tuple((f"diff{i}", line) for i, line in enumerate(diff[:20])))


def check_logs_clean(router: DualRERouter, window: float = 86400.0) -> CheckResult:
    """Return whether neither RE's mastership log holds a trouble event
    (:data:`ACCEPTANCE_TROUBLE`, keepalive loss) within the last ``window`` seconds of the
    router's own clock (its log timestamps are in its time zone, and a lab router's clock
    need not agree with ours)."""
    gate = Gate.LOGS_CLEAN
    try:
        since = router.router_time() - timedelta(seconds=window)
        found = [f"{e.re}: {e.raw.strip()}" for name in router.re_names
                 for e in router.mastership_log(name) if e.timestamp >= since and _trouble(e)]
    except HarnessError as exc:
        return _could_not(gate, exc)
    return CheckResult(gate.value, not found, "clean" if not found else "; ".join(found[:10]))


def _trouble(entry: ml.LogEntry) -> bool:
    if isinstance(entry, ml.MastershipEvent):
        return entry.code in ACCEPTANCE_TROUBLE
    return isinstance(entry, ml.KeepaliveLoss)


def check_hold_down(router: DualRERouter) -> CheckResult:
    """Return whether the router would accept a mastership switch now (no hold-down left)."""
    gate = Gate.HOLD_DOWN
    try:
        left = router.hold_down_remaining()
    except HarnessError as exc:
        return _could_not(gate, exc)
    detail = "no hold-down" if left == 0 else f"{left} s of the 240 s hold-down left"
    return CheckResult(gate.value, left == 0, detail, (("seconds_left", str(left)),))


#: The names of the acceptance report's lines on a switchover's times.
FORWARDING_RESTORED = "forwarding restored"
BACKUP_READY = "backup ready"


def _which(result: OperationResult) -> str:
    method = getattr(result, "method", None) or result.operation
    return f"{method} {result.master_before or '?'} -> {result.master_after or '?'}"


def check_forwarding_restored(result: OperationResult, budget: float) -> CheckResult:
    """Return whether the switchover ``result`` had every FPC of the new master Online within
    ``budget`` router seconds of its command (it must have waited ``until`` forwarding)."""
    seconds = result.phases.data_plane
    if seconds is None:
        return CheckResult(FORWARDING_RESTORED, False, f"{_which(result)}: not measured (the "
                           f"operation waited only until {result.until})")
    stayed = result.phases.fpcs_stayed_online
    fpcs = ("FPC history unknown" if stayed is None
            else "FPCs stayed online" if stayed else "FPCs re-initialised")
    detail = f"{seconds:.1f} s after {_which(result)} (budget {budget:g} s); {fpcs}"
    if result.phases.control_plane is not None:
        detail += f"; new master answered after {result.phases.control_plane:.1f} s"
    return CheckResult(FORWARDING_RESTORED, seconds <= budget, detail,
                       (("seconds", f"{seconds:.3f}"), ("budget", f"{budget:g}"),
                        ("fpcs_stayed_online", str(stayed).lower())))


def check_backup_ready(result: OperationResult, budget: float) -> CheckResult:
    """Return whether after the switchover ``result`` the new backup reported itself ready to
    take over (``show system switchover``) within ``budget`` router seconds of the command (it
    must have waited ``until`` redundant)."""
    seconds = result.phases.backup_ready
    if seconds is None:
        return CheckResult(BACKUP_READY, False, f"{_which(result)}: not measured (the "
                           f"operation waited only until {result.until})")
    return CheckResult(BACKUP_READY, seconds <= budget,
                       f"{seconds:.1f} s after {_which(result)} (budget {budget:g} s)",
                       (("seconds", f"{seconds:.3f}"), ("budget", f"{budget:g}")))


def budget_checks(result: OperationResult, budgets: Budgets) -> list[CheckResult]:
    """Return the "forwarding restored" and "backup ready" lines of the switchover
    ``result`` against ``budgets``."""
    return [check_forwarding_restored(result, budgets.forwarding_restored),
            check_backup_ready(result, budgets.backup_ready)]


#: Every gate, with the function that checks it.
CHECKS: dict[Gate, Callable[[DualRERouter], CheckResult]] = {
    Gate.BOTH_PRESENT: check_two_res,
    Gate.SAME_MODEL: check_models,
    Gate.SAME_VERSION: check_versions,
    Gate.GRACEFUL_SWITCHOVER: check_gres,
    Gate.CONFIG_SYNCED: check_config_sync,
    Gate.LOGS_CLEAN: check_logs_clean,
    Gate.HOLD_DOWN: check_hold_down,
}


# ------------------------------------------------------------------------ running them
def check_readiness(router: DualRERouter, gates: Iterable[Gate] | None = None, *,
                    require_gres: bool = False) -> ReadinessReport:
    """Run ``gates`` (default: all, in :class:`Gate` order) on ``router``; return the report.

    Never raises for a router that does not answer: each gate then fails with the reason.
    """
    chosen = list(Gate) if gates is None else list(gates)
    results = []
    for gate in chosen:
        if gate is Gate.GRACEFUL_SWITCHOVER:
            results.append(check_gres(router, required=require_gres))
        else:
            results.append(CHECKS[gate](router))
    report = ReadinessReport(router.name, tuple(results))
    log.info("%s", report.explain())
    return report


def require_ready(router: DualRERouter, gates: Iterable[Gate] | None = None, *,
                  require_gres: bool = False) -> ReadinessReport:
    """Return the report when every gate passes.  Raises NotReadyError otherwise."""
    report = check_readiness(router, gates, require_gres=require_gres)
    if not report.passed:
        raise NotReadyError(report)
    return report


def readiness_checks(router: DualRERouter) -> list[CheckResult]:
    """Return the results of the pre-upgrade profile (:data:`PRE_UPGRADE`), in order."""
    return list(check_readiness(router, PRE_UPGRADE).results)


def failed_checks(results: Sequence[CheckResult]) -> list[str]:
    """Return the names of the failed checks of ``results``."""
    return [r.name for r in results if not r.passed]
