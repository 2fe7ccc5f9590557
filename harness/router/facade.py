"""``DualRERouter``: a dual-RE Junos router as a suite sees it, lab or emulated alike.

A thin facade over the router's parts, each usable on its own:

- :attr:`DualRERouter.sessions` (:class:`~harness.router.sessions.RouterSessions`): per-RE
  NETCONF sessions, reconnect with backoff, the control session, the operation budget;
- :attr:`DualRERouter.state` (:class:`~harness.router.status.RouterStatus`): read-only queries
  (roles, master, the router's clock, hardware, mastership log);
- :attr:`DualRERouter.configuration` (:class:`~harness.router.config.RouterConfig`):
  load / rollback / commit;
- :attr:`DualRERouter.ha` (:class:`~harness.router.ha.HAOperations`): switchover, failover,
  halt, reboot, power-on and the hold-down, each waiting for its end state (``until``) and
  timing the control plane, the data plane and the backup's readiness;
- :attr:`DualRERouter.consent` (:class:`~harness.faults.Consent`): every disruptive operation
  (HA, fault, configuration, a raw RPC or CLI line that disrupts) asks it first;
- :meth:`DualRERouter.snapshot` (:mod:`harness.snapshots`): the router's state from both REs,
  for a pre/post diff.

"The master" is resolved from ``get-route-engine-information`` and forgotten after every
disruptive operation, fault or dropped session.  Every public operation has a time budget
(:class:`harness.session.Deadline`): queries get ``timeouts.connect + timeouts.rpc``; HA
operations get their testbed timeout or the ``timeout`` argument, so a closed port, a silent
peer or an emulator that dies mid-operation raises a named :mod:`harness.errors` exception
within the budget.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lxml import etree

from harness import mastership as ml
from harness import rpcs
from harness.clock import EmulatedClock, LabClock, RouterClock
from harness.faults import Consent, EmulatorFaults, Faults, LabFaults, disruption_of
from harness.junos import CommitReport, RouteEngineStatus, reply_text
from harness.recording.transport import LIVE, Transport
from harness.router.config import RouterConfig
from harness.router.ha import HAOperations, Listener
from harness.router.results import OperationResult, ShutdownResult, SwitchoverResult, Until
from harness.router.sessions import RouterSessions
from harness.router.status import RouterStatus
from harness.session import Deadline, RESession
from harness.snapshots.capture import Snapshot, take_snapshot
from harness.snapshots.items import SnapshotPlan
from re_contract.control import ControlRpc
from re_contract.testbed import Budgets, Endpoint, RouterSpec, TimeMode

__all__ = ["DualRERouter"]


class DualRERouter:
    """A dual-RE router of the testbed, reached only over NETCONF/SSH.

    One thread at a time: the operation budget is an attribute of the router.
    """

    def __init__(self, spec: RouterSpec, *, control: Endpoint | None = None,
                 lab_clock: RouterClock | None = None, transport: Transport = LIVE) -> None:
        self.spec = spec
        self.name = spec.name
        #: Whether the router may be disrupted now; the plugin sets ``consent.run_allows``.
        self.consent = Consent(spec)
        self.sessions = RouterSessions(spec, lambda: self.state.find_master(), control=control,
                                       transport=transport)
        # An emulator running in real time is waited for like hardware: only a virtual clock
        # is advanced by control RPC.
        realtime = spec.emulator is not None and spec.emulator.time is TimeMode.REAL
        clock: RouterClock = (
            EmulatedClock(self.sessions.control_rpc) if control is not None and not realtime
            else transport.clock(spec.name, lab_clock or LabClock())
        )
        self.faults: Faults = (
            EmulatorFaults(self.control, after=self._after_fault, consent=self.consent)
            if control is not None
            else LabFaults(spec, lambda re_name, el: self.sessions.rpc(re_name, el),
                           spec.timeouts.halt, after=self._after_fault, consent=self.consent,
                           run=transport.command_runner(spec.name))
        )
        self.state = RouterStatus(self.sessions, clock)
        self.configuration = RouterConfig(self.sessions, self.consent)
        self.ha = HAOperations(self.sessions, self.state, clock, self.faults, self.consent)
        #: Observers told about each operation (the report and JUnit properties use it).
        self.listeners: list[Listener] = self.ha.listeners
        #: What :meth:`snapshot` captures (built-in items, the testbed's, a snapshot file's).
        self.snapshot_plan = SnapshotPlan.of(spec.snapshots)
        #: Observers told about each snapshot taken (the plugin stores them in the report).
        self.snapshot_listeners: list[Callable[[Snapshot], None]] = []

    def __repr__(self) -> str:
        return f"<DualRERouter {self.name} {self.spec.platform}>"

    @property
    def clock(self) -> RouterClock:
        """Return the router's clock: virtual (advanced by control RPC) on the emulator, the
        wall clock on a lab router or an emulator in real time."""
        return self.state.clock

    @clock.setter
    def clock(self, clock: RouterClock) -> None:
        """Make every part read and wait on ``clock``."""
        self.state.clock = self.ha.clock = clock

    def _after_fault(self, fault: str) -> None:
        self.sessions.forget_master()

    # ------------------------------------------------------- sessions, budgets
    def bounded(self, seconds: float, what: str) -> contextlib.AbstractContextManager[Deadline]:
        """See :meth:`RouterSessions.bounded`."""
        return self.sessions.bounded(seconds, what)

    @property
    def query_budget(self) -> float:
        """Return the budget of one query: one connect plus one RPC (testbed timeouts)."""
        return self.sessions.query_budget

    @property
    def re_names(self) -> tuple[str, ...]:
        """Return the names of the REs in the testbed entry (``re0``, ``re1``)."""
        return self.sessions.re_names

    @property
    def emulated(self) -> bool:
        """Return True when the router is the emulator (time and faults by control RPC)."""
        return self.sessions.emulated

    def session(self, re_name: str) -> RESession:
        """See :meth:`RouterSessions.session`."""
        return self.sessions.session(re_name)

    def drop_session(self, re_name: str) -> None:
        """Close and forget the session to ``re_name`` (it is reopened on next use)."""
        self.sessions.drop(re_name)

    def forget_master(self) -> None:
        """Forget which RE was master: the next ``"master"`` use asks the router again."""
        self.sessions.forget_master()

    def close(self) -> None:
        """Close every session of this router."""
        self.sessions.close()

    @property
    def budgets(self) -> Budgets:
        """Return the acceptance budgets of this router (testbed key ``budgets``: forwarding
        restored, backup ready)."""
        return self.spec.budgets

    def rpc(self, re_name: str, request: etree._Element | str, *, retries: int = 2,
            timeout: float | None = None) -> etree._Element:
        """See :meth:`RouterSessions.rpc`; a request that disrupts (a switchover, halt, reboot,
        power or configuration RPC, or such a CLI line in ``<command>``) first asks the
        router's consent.  Raises DisruptiveNotAllowedError (nothing sent) and as
        :meth:`RouterSessions.rpc`."""
        found = disruption_of(request)
        if found is None:
            return self.sessions.rpc(re_name, request, retries=retries, timeout=timeout)
        kind, what = found
        with self.consent.acting(kind, what, re_name):
            return self.sessions.rpc(re_name, request, retries=retries, timeout=timeout)

    def command(self, re_name: str, cli: str, fmt: str = "text") -> Any:
        """Run a CLI command on ``re_name``; return its text (or the XML reply for xml).

        Raises as :meth:`rpc`.
        """
        reply = self.rpc(re_name, rpcs.command(cli, text=fmt == "text"))
        return reply_text(reply) if fmt == "text" else reply

    def control_rpc(self, request: etree._Element) -> etree._Element:
        """See :meth:`RouterSessions.control_rpc`."""
        return self.sessions.control_rpc(request)

    def control(self, tag: ControlRpc | str, **children: object) -> etree._Element:
        """Build and send control RPC ``tag`` with text children; return the reply."""
        return self.control_rpc(rpcs.control(tag, **children))

    def reset(self) -> None:
        """Emulated routers only: rebuild the router as the testbed describes it (fresh logs,
        configuration and roles) and drop every session.  Raises HarnessError on a lab router,
        and the session errors."""
        self.control("reset-router")
        self.sessions.drop_all()
        self.sessions.forget_master()

    # ----------------------------------------------------------------- status
    def status(self, via: str | None = None, timeout: float | None = None
               ) -> list[RouteEngineStatus]:
        """See :meth:`RouterStatus.status`."""
        return self.state.status(via, timeout)

    def router_time(self, via: str | None = None) -> datetime:
        """See :meth:`RouterStatus.router_time`."""
        return self.state.router_time(via)

    def find_master(self, timeout: float | None = None) -> str:
        """See :meth:`RouterStatus.find_master`."""
        return self.state.find_master(timeout)

    @property
    def master(self) -> str:
        """Return the name of the master RE.  Raises as :meth:`find_master`."""
        return self.state.find_master()

    @property
    def backup(self) -> str | None:
        """Return the name of the backup RE, or None when there is none."""
        return self.state.backup()

    def is_master(self, re_name: str) -> bool:
        """Return True when ``re_name`` itself reports being master."""
        return self.state.is_master(re_name)

    def answers(self, re_name: str) -> bool:
        """See :meth:`RouterStatus.answers`."""
        return self.state.answers(re_name)

    def chassis_hardware(self, re_name: str) -> etree._Element:
        """See :meth:`RouterStatus.chassis_hardware`."""
        return self.state.chassis_hardware(re_name)

    def raw_log(self, re_name: str) -> str:
        """Return the text of ``show log mastership`` on ``re_name``."""
        return self.state.raw_log(re_name)

    def mastership_log(self, re_name: str, timeout: float | None = None) -> ml.MastershipLog:
        """See :meth:`RouterStatus.mastership_log`."""
        return self.state.mastership_log(re_name, timeout)

    def snapshot(self, name: str, plan: SnapshotPlan | None = None) -> Snapshot:
        """Capture the router's state from both REs (``plan``, default :attr:`snapshot_plan`)
        as snapshot ``name``; tell :attr:`snapshot_listeners` (under pytest the plugin writes
        it into the report directory); return it.  Never raises for an RE that does not
        answer: the snapshot records it (see :func:`harness.snapshots.take_snapshot`)."""
        taken = take_snapshot(self, name, plan or self.snapshot_plan)
        for listener in list(self.snapshot_listeners):
            listener(taken)
        return taken

    # ------------------------------------------------------------ HA operations
    def require_disruptive(self, what: str) -> None:
        """See :meth:`HAOperations.require_disruptive`."""
        self.ha.require_disruptive(what)

    def switchover(self, method: str = "switch", via: str | None = None,
                   timeout: float | None = None, *, until: Until | str = Until.FORWARDING
                   ) -> SwitchoverResult:
        """See :meth:`HAOperations.switchover`."""
        return self.ha.switchover(method, via, timeout, until=until)

    def failover(self, fault: str, re_name: str | None = None, *, master: str | None = None,
                 until: Until | str = Until.MASTER, timeout: float | None = None,
                 **args: str) -> OperationResult:
        """See :meth:`HAOperations.failover`."""
        return self.ha.failover(fault, re_name, master=master, until=until, timeout=timeout,
                                **args)

    def wait_for_master(self, re_name: str, timeout: float, what: str = "") -> None:
        """See :meth:`HAOperations.wait_for_master`."""
        self.ha.wait_for_master(re_name, timeout, what)

    def halt(self, re_name: str, *, both: bool = False, timeout: float | None = None,
             until: Until | str | None = None) -> ShutdownResult:
        """See :meth:`HAOperations.halt`."""
        return self.ha.halt(re_name, both=both, timeout=timeout, until=until)

    def reboot(self, re_name: str, *, timeout: float | None = None,
               until: Until | str = Until.MASTER) -> ShutdownResult:
        """See :meth:`HAOperations.reboot`."""
        return self.ha.reboot(re_name, timeout=timeout, until=until)

    def power_on(self, re_name: str, *, timeout: float | None = None,
                 until: Until | str = Until.MASTER) -> OperationResult:
        """See :meth:`HAOperations.power_on`."""
        return self.ha.power_on(re_name, timeout=timeout, until=until)

    def hold_down_remaining(self) -> int:
        """See :meth:`HAOperations.hold_down_remaining`."""
        return self.ha.hold_down_remaining()

    def wait_ready_for_switch(self, timeout: float | None = None) -> None:
        """See :meth:`HAOperations.wait_ready_for_switch`."""
        self.ha.wait_ready_for_switch(timeout)

    # ----------------------------------------------------------- configuration
    def load_config(self, re_name: str, text: str, format: str = "set") -> tuple[str, ...]:  # noqa: A002
        """See :meth:`RouterConfig.load`."""
        return self.configuration.load(re_name, text, format)

    def rollback(self, re_name: str, n: int) -> tuple[str, ...]:
        """See :meth:`RouterConfig.rollback`."""
        return self.configuration.rollback(re_name, n)

    def commit(self, re_name: str, synchronize: bool = False, check: bool = False,
               comment: str | None = None) -> CommitReport:
        """See :meth:`RouterConfig.commit`."""
        return self.configuration.commit(re_name, synchronize, check, comment)

    def committed_config(self, re_name: str, inherit: bool = False) -> str:
        """See :meth:`RouterConfig.committed`."""
        return self.configuration.committed(re_name, inherit)
