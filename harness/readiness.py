"""Readiness gates before a switchover: checks that return a typed report.

Each gate is a function ``check_*(router) -> GateResult``; :func:`check_readiness` runs a set of
them and returns a :class:`ReadinessReport`; :func:`require_ready` raises
:class:`NotReadyError` listing every failed gate.  A fixture can call ``require_ready`` (and
turn the error into a skip or a failure); a suite can assert on the report.

The gates (issue 4 point 4; chapter "Host Redundancy Overview" and real Junos behaviour):

- ``BOTH_PRESENT``: both REs answer and each reports itself master or backup, one master.
- ``SAME_MODEL``: ``show chassis routing-engine`` gives the same RE model for both slots.
- ``SAME_VERSION``: ``show version invoke-on all-routing-engines`` gives one Junos version.
- ``GRACEFUL_SWITCHOVER``: ``show system switchover`` on the backup: with graceful-switchover
  configured, "Ready"; without it, the gate passes (and says so) unless GRES is required.
- ``CONFIG_SYNCED``: the *raw* committed configurations of the two REs are equal.  Raw, not
  ``inherit="inherit"``: groups re0/re1 are meant to differ per slot (host-name, fxp0 address),
  so the inherited views always differ; both groups live in the one shared configuration,
  which is what ``commit synchronize`` copies (NOTES.md 3.6, D11/D12).
- ``HOLD_DOWN``: no hold-down left (``request chassis routing-engine master switch check``;
  real Junos refuses a switch within 240 s of the previous one or of an RE boot).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from harness.errors import HarnessError, NoMasterError, RpcFailedError, SessionError
from harness.junos import parse_software, parse_switchover
from harness.router import DualRERouter

__all__ = [
    "ALL_GATES",
    "Gate",
    "GateResult",
    "NotReadyError",
    "ReadinessReport",
    "check_both_present",
    "check_config_synced",
    "check_graceful_switchover",
    "check_hold_down",
    "check_readiness",
    "check_same_model",
    "check_same_version",
    "require_ready",
]

log = logging.getLogger(__name__)


class Gate(Enum):
    """The readiness gates, in the order they are checked."""

    BOTH_PRESENT = "both REs present"
    SAME_MODEL = "same RE model"
    SAME_VERSION = "same Junos version"
    GRACEFUL_SWITCHOVER = "graceful-switchover state on the backup"
    CONFIG_SYNCED = "configuration synchronised"
    HOLD_DOWN = "switchover hold-down respected"


@dataclass(frozen=True, slots=True)
class GateResult:
    """One gate's verdict: ``ok``, a one-line ``detail``, and per-RE values seen."""

    gate: Gate
    ok: bool
    detail: str
    values: tuple[tuple[str, str], ...] = ()

    def line(self) -> str:
        """Return ``[ok] gate: detail`` / ``[FAIL] gate: detail``."""
        return f"[{'ok' if self.ok else 'FAIL'}] {self.gate.value}: {self.detail}"


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """Every gate checked on one router."""

    router: str
    results: tuple[GateResult, ...]

    @property
    def ok(self) -> bool:
        """Return True when every gate passed."""
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> tuple[GateResult, ...]:
        """Return the gates that failed."""
        return tuple(r for r in self.results if not r.ok)

    def result(self, gate: Gate) -> GateResult:
        """Return the result of ``gate``.  Raises KeyError when it was not checked."""
        for r in self.results:
            if r.gate is gate:
                return r
        raise KeyError(gate)

    def explain(self) -> str:
        """Return one line per gate, headed by the router and the verdict."""
        head = f"{self.router}: {'ready' if self.ok else 'NOT ready'} for a switchover"
        return "\n".join([head, *(f"  {r.line()}" for r in self.results)])


class NotReadyError(HarnessError):
    """A readiness gate failed; ``report`` holds every gate.  At fault: the router's state."""

    def __init__(self, report: ReadinessReport) -> None:
        """Record the report; the message lists every gate."""
        super().__init__(report.explain())
        self.report = report


def _fail(gate: Gate, exc: BaseException) -> GateResult:
    return GateResult(gate, False, f"could not check: {type(exc).__name__}: {exc}")


def check_both_present(router: DualRERouter) -> GateResult:
    """Return whether both REs answer, one as master and the other as backup."""
    gate = Gate.BOTH_PRESENT
    seen: list[tuple[str, str]] = []
    for name in router.re_names:
        try:
            state = next((r.mastership_state.lower() for r in router.status(via=name)
                          if r.name == name), "absent")
        except SessionError as exc:
            state = f"not answering ({type(exc).__name__})"
        except NoMasterError:
            state = "not answering"
        seen.append((name, state))
    states = sorted(s for _, s in seen)
    ok = len(seen) == 2 and states == ["backup", "master"]
    return GateResult(gate, ok, ", ".join(f"{n} {s}" for n, s in seen), tuple(seen))


def check_same_model(router: DualRERouter) -> GateResult:
    """Return whether both slots hold the same RE model (``show chassis routing-engine``)."""
    gate = Gate.SAME_MODEL
    try:
        models = tuple((r.name, r.model) for r in router.status())
    except HarnessError as exc:
        return _fail(gate, exc)
    ok = len(models) == 2 and len({m for _, m in models}) == 1
    return GateResult(gate, ok, ", ".join(f"{n} {m or '?'}" for n, m in models), models)


def check_same_version(router: DualRERouter) -> GateResult:
    """Return whether both REs run the same Junos version
    (``show version invoke-on all-routing-engines`` on the master)."""
    gate = Gate.SAME_VERSION
    try:
        reply = router.rpc("master",
                           "<command>show version invoke-on all-routing-engines</command>")
    except (RpcFailedError, SessionError, NoMasterError) as exc:
        return _fail(gate, exc)
    versions = tuple((s.re_name, s.junos_version) for s in parse_software(reply))
    ok = len(versions) == 2 and len({v for _, v in versions}) == 1
    detail = ", ".join(f"{n} {v or '?'}" for n, v in versions) or "no software-information"
    return GateResult(gate, ok, detail, versions)


def check_graceful_switchover(router: DualRERouter, required: bool = False) -> GateResult:
    """Return the graceful-switchover state on the backup (``show system switchover``):
    with GRES on, it must say Ready; with GRES off the gate passes unless ``required``."""
    gate = Gate.GRACEFUL_SWITCHOVER
    try:
        backup = router.backup
        if backup is None:
            return GateResult(gate, False, "no backup RE")
        info = parse_switchover(router.rpc(backup, "<get-switchover-information/>"))
    except HarnessError as exc:
        return _fail(gate, exc)
    values = (("graceful-switchover", info.graceful_switchover),
              ("configuration", info.configuration_state),
              ("replication", info.replication_state), ("ready", str(info.ready)))
    if info.graceful_switchover.lower() != "on":
        detail = "graceful-switchover is not configured (a switchover re-initialises the PFE)"
        return GateResult(gate, not required, detail, values)
    detail = (f"on, {'Ready' if info.ready else 'Not Ready'} (configuration "
              f"{info.configuration_state or '?'}, replication {info.replication_state or '?'})")
    return GateResult(gate, info.ready, detail, values)


def check_config_synced(router: DualRERouter) -> GateResult:
    """Return whether the raw committed configurations of both REs are equal (see the module
    docstring for why raw, not inherited); the detail shows the first differing lines."""
    gate = Gate.CONFIG_SYNCED
    try:
        texts = {name: router.committed_config(name) for name in router.re_names}
    except HarnessError as exc:
        return _fail(gate, exc)
    if len(texts) != 2:
        return GateResult(gate, False, f"{len(texts)} RE(s)")
    (a, ta), (b, tb) = texts.items()
    if ta == tb:
        return GateResult(gate, True, f"{a} and {b} committed configurations are equal")
    diff = [line for line in difflib.unified_diff(ta.splitlines(), tb.splitlines(), a, b,
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return GateResult(gate, False, f"{a} and {b} differ: " + "; ".join(diff[:4]),
                      tuple((f"diff{i}", line) for i, line in enumerate(diff[:20])))


def check_hold_down(router: DualRERouter) -> GateResult:
    """Return whether the router would accept a mastership switch now (no hold-down left)."""
    gate = Gate.HOLD_DOWN
    try:
        left = router.hold_down_remaining()
    except HarnessError as exc:
        return _fail(gate, exc)
    detail = "no hold-down" if left == 0 else f"{left} s of the 240 s hold-down left"
    return GateResult(gate, left == 0, detail, (("seconds_left", str(left)),))


#: Every gate, with the function that checks it.
ALL_GATES: dict[Gate, Callable[[DualRERouter], GateResult]] = {
    Gate.BOTH_PRESENT: check_both_present,
    Gate.SAME_MODEL: check_same_model,
    Gate.SAME_VERSION: check_same_version,
    Gate.GRACEFUL_SWITCHOVER: check_graceful_switchover,
    Gate.CONFIG_SYNCED: check_config_synced,
    Gate.HOLD_DOWN: check_hold_down,
}


def check_readiness(router: DualRERouter, gates: Iterable[Gate] | None = None, *,
                    require_gres: bool = False) -> ReadinessReport:
    """Run ``gates`` (default: all, in :class:`Gate` order) on ``router``; return the report.

    Never raises for a router that does not answer: each gate then fails with the reason.
    """
    chosen = list(ALL_GATES) if gates is None else list(gates)
    results = []
    for gate in chosen:
        if gate is Gate.GRACEFUL_SWITCHOVER:
            results.append(check_graceful_switchover(router, required=require_gres))
        else:
            results.append(ALL_GATES[gate](router))
    report = ReadinessReport(router.name, tuple(results))
    log.info("%s", report.explain())
    return report


def require_ready(router: DualRERouter, gates: Iterable[Gate] | None = None, *,
                  require_gres: bool = False) -> ReadinessReport:
    """Return the report when every gate passes.  Raises NotReadyError otherwise."""
    report = check_readiness(router, gates, require_gres=require_gres)
    if not report.ok:
        raise NotReadyError(report)
    return report
