"""The NETCONF sessions of one router: one per RE, opened lazily, reopened after a drop, plus the
emulator's control session; and the time budget every operation on the router runs within.

A session that drops (the RE rebooted, mastership moved, the link was severed, the emulator's
``drop-sessions``) is reopened with bounded backoff (:data:`BACKOFF`) on next use.  The logical
name :data:`MASTER` is resolved by the ``find_master`` callable given at construction and
remembered until :meth:`RouterSessions.forget_master`.

Every call is bounded (:class:`harness.session.Deadline`): :meth:`RouterSessions.bounded` sets
an operation's budget; every network wait inside is clipped to what is left of it, so a closed
port, a silent peer or an emulator that dies mid-operation raises a named
:mod:`harness.errors` exception within the budget.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from lxml import etree

from harness.errors import HarnessError, RpcTimeoutError, SessionClosedError
from harness.recording.transport import LIVE, Transport
from harness.session import ConnectParams, Deadline, RESession
from re_contract.testbed import Endpoint, HostKeyPolicy, RouterSpec

__all__ = ["BACKOFF", "MASTER", "RouterSessions"]

log = logging.getLogger(__name__)

#: The logical RE name that means "whichever RE is master now".
MASTER = "master"
#: Seconds between reconnect attempts after a dropped session (bounded, then the error).
BACKOFF: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0)


class RouterSessions:
    """The sessions to the REs of router ``spec`` (and to its emulator's control endpoint).

    One thread at a time: the operation budget is an attribute of the object.
    """

    def __init__(self, spec: RouterSpec, find_master: Callable[[], str], *,
                 control: Endpoint | None = None, transport: Transport = LIVE) -> None:
        self.spec = spec
        #: Where sessions come from (real ones; recorded or replayed ones, harness.recording).
        self.transport = transport
        self.name = spec.name
        self._find_master = find_master
        self._sessions: dict[str, RESession] = {}
        self._control_endpoint = control
        self._control: RESession | None = None
        self._deadline: Deadline | None = None
        self._master_hint: str | None = None

    def __repr__(self) -> str:
        return f"<RouterSessions {self.name} open={sorted(self._sessions)}>"

    # ---------------------------------------------------------------- budgets
    @contextlib.contextmanager
    def bounded(self, seconds: float, what: str) -> Iterator[Deadline]:
        """Run the body within ``seconds`` of wall time (or less, inside an earlier budget);
        yield the deadline in force.  Network waits inside are clipped to it."""
        mine = Deadline.after(seconds, f"{self.name}: {what}")
        outer = self._deadline
        self._deadline = mine.earliest(outer)
        try:
            yield self._deadline
        finally:
            self._deadline = outer

    @property
    def query_budget(self) -> float:
        """Return the budget of one query: one connect plus one RPC (testbed timeouts)."""
        return self.spec.timeouts.connect + self.spec.timeouts.rpc

    def clip(self, seconds: float) -> float:
        """Return ``seconds`` cut to the budget in force.  Raises OperationTimeoutError when
        it is spent."""
        return self._deadline.clip(seconds) if self._deadline is not None else seconds

    # ------------------------------------------------------------------ names
    @property
    def re_names(self) -> tuple[str, ...]:
        """Return the names of the REs in the testbed entry (``re0``, ``re1``)."""
        return tuple(self.spec.endpoints)

    @property
    def emulated(self) -> bool:
        """Return True when the router is the emulator (time and faults by control RPC)."""
        return self._control_endpoint is not None

    def other(self, re_name: str) -> str | None:
        """Return the other RE than ``re_name``, or None on a one-RE router."""
        return next((n for n in self.re_names if n != re_name), None)

    def resolve(self, re_name: str) -> str:
        """Return ``re_name``, or for :data:`MASTER` the RE that is master (asked once, then
        remembered).  Raises NoMasterError when no RE is master."""
        if re_name != MASTER:
            return re_name
        if self._master_hint is None:
            self._master_hint = self._find_master()
        return self._master_hint

    def remember_master(self, re_name: str) -> None:
        """Remember ``re_name`` as the master (it was just asked)."""
        self._master_hint = re_name

    def forget_master(self) -> None:
        """Forget which RE was master: the next :data:`MASTER` use asks the router again."""
        self._master_hint = None

    def reachable_order(self) -> list[str]:
        """Return the RE names, those with an open session first."""
        live = [n for n, s in self._sessions.items() if s.connected and n in self.spec.endpoints]
        return live + [n for n in self.re_names if n not in live]

    # --------------------------------------------------------------- sessions
    def _params(self, re_name: str, endpoint: Endpoint, control: bool = False) -> ConnectParams:
        creds = self.spec.control if control and self.spec.control else self.spec.credentials
        hk = self.spec.host_keys
        return ConnectParams(
            host=endpoint.host, port=endpoint.port, username=creds.username,
            password=creds.password(),
            key_file=str(creds.key_file) if creds.key_file else None,
            allow_agent=creds.allow_agent,
            hostkey_verify=hk.policy is HostKeyPolicy.KNOWN_HOSTS,
            known_hosts=str(hk.known_hosts) if hk.known_hosts else None,
            connect_timeout=self.spec.timeouts.connect, rpc_timeout=self.spec.timeouts.rpc,
            label=f"{self.name}/{re_name}",
        )

    def session(self, re_name: str) -> RESession:
        """Return an open session to ``re_name`` (:data:`MASTER`: the RE that is master now),
        opening it if needed.

        Raises ConnectError (the RE does not answer), NoMasterError (for :data:`MASTER`),
        OperationTimeoutError, or KeyError for an unknown RE name.
        """
        name = self.resolve(re_name)
        endpoint = self.spec.endpoints[name]
        sess = self._sessions.get(name)
        if sess is None or not sess.connected:
            sess = self.transport.session(f"{self.name}/{name}",
                                          lambda: self._params(name, endpoint))
            sess.open(self.clip(self.spec.timeouts.connect))
            self._sessions[name] = sess
        return sess

    def drop(self, re_name: str) -> None:
        """Close and forget the session to ``re_name`` (it is reopened on next use)."""
        sess = self._sessions.pop(re_name, None)
        if sess is not None:
            sess.close(min(1.0, self._deadline.remaining()) if self._deadline else 1.0)

    def drop_all(self) -> None:
        """Close and forget every RE session (the control session stays)."""
        for name in list(self._sessions):
            self.drop(name)

    def close(self) -> None:
        """Close every session, the control session too."""
        self.drop_all()
        if self._control is not None:
            self._control.close()
            self._control = None

    # ------------------------------------------------------------------- RPCs
    def rpc(self, re_name: str, request: etree._Element | str, *, retries: int = 2,
            timeout: float | None = None) -> etree._Element:
        """Send ``request`` to ``re_name`` (an RE or :data:`MASTER`) and return the reply.

        A dropped session is reopened up to ``retries`` times with backoff (:data:`BACKOFF`),
        re-resolving the master for :data:`MASTER`.  The whole call is bounded by
        ``timeouts.connect`` plus ``timeout`` (default ``timeouts.rpc``).
        Raises ConnectError, SessionClosedError, RpcTimeoutError, RpcFailedError,
        NoMasterError or OperationTimeoutError.
        """
        limit = timeout or self.spec.timeouts.rpc
        with self.bounded(self.spec.timeouts.connect + limit, f"rpc to {re_name}"):
            for attempt in range(retries + 1):
                try:
                    return self._rpc_once(re_name, request, limit)
                except SessionClosedError:
                    if attempt >= retries:
                        raise
                    delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                    log.info("%s: session to %s dropped; reconnecting in %.2fs",
                             self.name, re_name, delay)
                    self.transport.pause(self.clip(delay))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _rpc_once(self, re_name: str, request: etree._Element | str, limit: float
                  ) -> etree._Element:
        name = self.resolve(re_name)
        try:
            return self.session(name).rpc(request, self.clip(limit))
        except (SessionClosedError, RpcTimeoutError):
            # A silent or dead session is of no further use; the master may have moved.
            self.drop(name)
            self.forget_master()
            raise

    def control_rpc(self, request: etree._Element) -> etree._Element:
        """Send an emulator control RPC (emulated routers only), within a query budget.

        Raises HarnessError on a lab router, and the session errors.
        """
        if self._control_endpoint is None:
            raise HarnessError(f"{self.name}: control RPCs exist only on the emulator")
        with self.bounded(self.query_budget, f"control {etree.QName(request).localname}"):
            if self._control is None or not self._control.connected:
                endpoint = self._control_endpoint
                self._control = self.transport.session(
                    f"{self.name}/control", lambda: self._params("control", endpoint, True))
                self._control.open(self.clip(self.spec.timeouts.connect))
            try:
                return self._control.rpc(request, self.clip(self.spec.timeouts.rpc))
            except (SessionClosedError, RpcTimeoutError):
                self._control.close(0.1)
                self._control = None
                raise
