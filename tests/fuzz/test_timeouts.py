"""Issue 11, defect 5: silent clients are dropped by the login-grace and hello timeouts (set
small here, in process; the testbed's Junos range starts at 20 s).  ``bench/abuse_timeouts.py``
measures 400 of them against a healthy session's latency."""

from __future__ import annotations

from emulator.limits import Limits
from emulator.model.router import RouterParams
from emulator.server import EmulatorServer, RouterEntry
from emulator.ssh import User
from tests.fuzz.test_isolation import eventually
from tests.fuzz.wire import Client, connect_raw


def test_silent_and_channel_less_connections_are_dropped_by_the_timeouts() -> None:
    """A TCP connection that never speaks SSH is dropped at the login grace (Junos
    ``retry-options maximum-time``); a NETCONF session without a hello at the hello timeout,
    and its connection, left without a channel, at the login grace again."""
    listen = {"re0": ("127.0.0.1", 0), "re1": ("127.0.0.1", 0), "control": ("127.0.0.1", 0)}
    entry = RouterEntry(RouterParams(name="r1"), [User("lab", "lab123")], listen,
                        limits=Limits(login_grace=1.0, hello_timeout=1.0))
    server = EmulatorServer([entry])
    eps = {ep.re: (ep.host, ep.port) for ep in server.start()}
    try:
        silent = connect_raw(eps["re0"])
        mute = Client(*eps["re0"], hello=False)
        eventually(lambda: silent.recv(1024) == b"", "the silent connection dropped", 15)
        assert mute.closed(15)
        eventually(lambda: server.census().connections == 0, "the mute connection dropped", 15)
        assert server.take_errors() == []
    finally:
        server.stop()
