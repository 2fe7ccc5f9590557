"""Fixtures: the emulator served in-process on loopback, and as the ``re-emulator`` command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from harness.pool import RouterPool
from harness.router import DualRERouter
from re_contract.testbed import default_testbed_path, load_testbed
from tests.netconf_hello import hello, served_hello  # noqa: F401  (fixtures: both hellos)


@dataclass(frozen=True)
class Served:
    """Where the default testbed's router r1 listens."""

    endpoints: dict[str, tuple[str, int]]
    server: EmulatorServer | None = None

    def port(self, re: str) -> int:
        return self.endpoints[re][1]


@pytest.fixture
def served() -> Iterator[Served]:
    """The default testbed's r1, served in-process on free loopback ports (fresh per test)."""
    spec = load_testbed(default_testbed_path()).router("r1")
    server = EmulatorServer([router_entry(spec)])
    eps = {ep.re: (ep.host, ep.port) for ep in server.start()}
    try:
        yield Served(eps, server)
    finally:
        server.stop()
    errors = server.take_errors()
    assert not errors, "\n".join(error.format() for error in errors)


@pytest.fixture(scope="module")
def serve_process() -> Iterator[Served]:
    """``re-emulator serve --time virtual`` as a separate process, as a user runs it."""
    exe = os.path.join(os.path.dirname(sys.executable), "re-emulator")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "emulator"]
    proc = subprocess.Popen([*cmd, "serve", "--time", "virtual"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    eps: dict[str, tuple[str, int]] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line or line.startswith("#"):
            if eps:
                break
            continue
        router, re, addr = line.split()
        host, port = addr.rsplit(":", 1)
        eps[re] = (host, int(port))
    if not eps:
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        pytest.fail(f"re-emulator serve printed no endpoints: {err}")
    try:
        yield Served(eps)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def pool() -> Iterator[RouterPool]:
    """The default testbed's routers through the harness (emulator started once a module)."""
    p = RouterPool(load_testbed(default_testbed_path()))
    yield p
    p.close()


@pytest.fixture
def dut(pool: RouterPool) -> DualRERouter:
    """Router r1, reset to its testbed state (RE0 master, fresh logs and configuration)."""
    router = pool.get("r1")
    router.reset()
    router.listeners.clear()
    return router
