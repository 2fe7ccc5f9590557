"""Nothing hangs: against a closed port, a port that accepts TCP but never answers, and an
emulator killed mid-operation, every operation raises a named HarnessError within its
timeout plus 2 s (issue 4, "Done when").  ``elapsed < limit + 2`` is a correctness bound."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from lxml import etree

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from harness.clock import EmulatedClock
from harness.errors import HarnessError
from harness.router import DualRERouter
from re_contract.listeners import CONTROL
from re_contract.testbed import Endpoint, RouterSpec, Timeouts, default_testbed_path, load_testbed

#: Small budgets: queries get connect + rpc = 2 s, HA operations 3 s.
TIMEOUTS = Timeouts(connect=1.0, rpc=1.0, switchover=3.0, reboot=3.0, halt=3.0,
                    keepalive_failover=3.0)
QUERY = TIMEOUTS.connect + TIMEOUTS.rpc
SLACK = 2.0


def _base_spec() -> RouterSpec:
    return replace(load_testbed(default_testbed_path()).router("r1"), timeouts=TIMEOUTS)


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A loopback port whose socket listens but never accepts nor writes."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield int(sock.getsockname()[1])
    sock.close()


def _dead_router(port: int, emulated: bool) -> DualRERouter:
    ep = Endpoint("127.0.0.1", port)
    spec = replace(_base_spec(), endpoints={"re0": ep, "re1": ep}, master_only=None)
    return DualRERouter(spec, control=ep if emulated else None)


#: Every operation, with the budget it must respect.
OPERATIONS: dict[str, tuple[Callable[[DualRERouter], object], float]] = {
    "status": (lambda r: r.status(), QUERY),
    "master": (lambda r: r.master, QUERY),
    "mastership_log": (lambda r: r.mastership_log("re0"), QUERY),
    "switchover": (lambda r: r.switchover("switch"), TIMEOUTS.switchover),
    "halt": (lambda r: r.halt("re1"), TIMEOUTS.halt),
    "reboot": (lambda r: r.reboot("re1"), TIMEOUTS.reboot),
    "power_on": (lambda r: r.power_on("re1"), TIMEOUTS.reboot),
    "clock.sleep": (lambda r: r.clock.sleep(10, "test"), QUERY),
}


def _raises_in_time(router: DualRERouter, op: str) -> HarnessError:
    call, limit = OPERATIONS[op]
    start = time.monotonic()
    with pytest.raises(HarnessError) as info:
        call(router)
    elapsed = time.monotonic() - start
    assert elapsed < limit + SLACK, f"{op} took {elapsed:.2f}s (limit {limit}s)"
    return info.value


#: Seconds a lab clock is asked to sleep with every port of the router dead.
LAB_SLEEP = 0.3


def _lab_clock_sleeps_without_the_network(router: DualRERouter) -> None:
    """A lab router's clock is this host's wall clock: with the router unreachable it still
    sleeps what it is asked (no less, and without trying to connect, so no timeout to wait
    out) and reads the wall time."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        attempts.append(address)
        real_connect(sock, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        start = time.monotonic()
        router.clock.sleep(LAB_SLEEP, "the lab clock")
        elapsed = time.monotonic() - start
        now = router.clock.now()
    assert attempts == [], f"the lab clock tried to connect to {attempts}"
    assert LAB_SLEEP <= elapsed < LAB_SLEEP + SLACK, f"slept {elapsed:.3f}s for {LAB_SLEEP}s"
    assert abs(now - time.time()) < SLACK, f"lab clock reads {now}, wall clock {time.time()}"


def _check(router: DualRERouter, op: str) -> None:
    if op == "clock.sleep" and not router.emulated:
        _lab_clock_sleeps_without_the_network(router)
        return
    _raises_in_time(router, op)


@pytest.mark.parametrize("op", list(OPERATIONS))
@pytest.mark.parametrize("emulated", [False, True], ids=["lab", "emulated"])
def test_closed_port(closed_port: int, op: str, emulated: bool) -> None:
    _check(_dead_router(closed_port, emulated), op)


@pytest.mark.parametrize("op", list(OPERATIONS))
@pytest.mark.parametrize("emulated", [False, True], ids=["lab", "emulated"])
def test_port_that_never_answers(black_hole: int, op: str, emulated: bool) -> None:
    _check(_dead_router(black_hole, emulated), op)


# ------------------------------------------------------------------ killed mid-operation
class KillingClock(EmulatedClock):
    """The emulator's clock, except that the first advance (a sleep or a wait's poll) first
    kills the emulator."""

    def __init__(self, rpc: Callable[[etree._Element], etree._Element],
                 kill: Callable[[], None]) -> None:
        super().__init__(rpc)
        self.kill = kill
        self.killed = False

    def _advance(self, seconds: float, what: str, until_change: float | None = None) -> None:
        if not self.killed:
            self.killed = True
            self.kill()
        super()._advance(seconds, what, until_change)


@pytest.fixture
def served() -> Iterator[tuple[EmulatorServer, DualRERouter]]:
    """A fresh emulator for r1 and a router on it with small timeouts."""
    spec = _base_spec()
    server = EmulatorServer([router_entry(spec)])
    eps = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
    spec = replace(spec, endpoints={n: eps[n] for n in spec.endpoints},
                   master_only=eps.get("master"))
    router = DualRERouter(spec, control=eps[CONTROL])
    try:
        yield server, router
    finally:
        router.close()
        server.stop()


def _prepare_release(router: DualRERouter) -> None:
    router.faults.sever_link()  # release then polls ~19 s of virtual time before E_MAXTRY


def _prepare_power_on(router: DualRERouter) -> None:
    router.halt("re1")


#: Operations that wait on the router's clock, and what sets each up.
WAITING: dict[str, tuple[Callable[[DualRERouter], None], Callable[[DualRERouter], object],
                         float]] = {
    "switchover-release": (_prepare_release,
                           lambda r: r.switchover("release", timeout=TIMEOUTS.switchover),
                           TIMEOUTS.switchover),
    "reboot": (lambda r: None, lambda r: r.reboot("re1"), TIMEOUTS.reboot),
    "power_on": (_prepare_power_on, lambda r: r.power_on("re1"), TIMEOUTS.reboot),
    "wait_until": (lambda r: None,
                   lambda r: r.clock.wait_until(lambda: False, 60, "never", poll=1.0), QUERY),
}


@pytest.mark.parametrize("op", list(WAITING))
def test_emulator_killed_while_an_operation_waits(
        served: tuple[EmulatorServer, DualRERouter], op: str) -> None:
    server, router = served
    prepare, call, limit = WAITING[op]
    prepare(router)
    clock = router.clock = KillingClock(router.control_rpc, server.stop)
    start = time.monotonic()
    with pytest.raises(HarnessError):
        call(router)
    elapsed = time.monotonic() - start
    assert elapsed < limit + SLACK, f"{op} took {elapsed:.2f}s"
    assert clock.killed, "the emulator was not killed mid-operation"


@pytest.mark.parametrize("op", list(OPERATIONS))
def test_every_operation_after_the_emulator_died(
        served: tuple[EmulatorServer, DualRERouter], op: str) -> None:
    server, router = served
    router.status()  # sessions open, then the emulator goes away under them
    server.stop()
    _raises_in_time(router, op)


@pytest.mark.parametrize("op", ["status", "mastership_log", "switchover", "clock.sleep"])
def test_emulator_that_stops_answering_mid_session(
        served: tuple[EmulatorServer, DualRERouter], op: str) -> None:
    """Sessions stay open but no reply comes (the router's model is held busy): the RPC
    waits end in RpcTimeoutError / OperationTimeoutError, not a hang."""
    server, router = served
    router.status(via="re0")
    router.status(via="re1")
    router.clock.now()
    with server.hold("r1"):
        _raises_in_time(router, op)


# ------------------------------------------------------------------ closing leaves nothing
def test_a_closed_session_leaves_no_connection_on_the_router_and_no_thread(
        served: tuple[EmulatorServer, DualRERouter]) -> None:
    """Each close ends the TCP connection: a router counts open connections against its
    ``connection-limit`` (Junos default 75), so a long run that leaked one per reconnect would
    be refused.  The socket has no timeout once open; a close that did not shut it left
    paramiko's transport thread blocked in ``recv()``, holding the connection."""
    server, router = served
    # Counted before any session: a count taken right after a close may still hold the
    # connection that close is ending (the router sees the close a moment later).
    before = server.census().connections
    router.status(via="re0")  # the emulator's own threads started (its executor's)
    router.drop_session("re0")
    threads = threading.active_count()
    for _ in range(12):
        router.status(via="re0")
        router.drop_session("re0")
    deadline = time.monotonic() + 10
    while server.census().connections > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.census().connections == before
    assert threading.active_count() <= threads
