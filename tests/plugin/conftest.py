"""Fixtures of the plugin's own tests: ``pytester``, testbed files, and an emulator posing as a
lab router (served in-process on loopback; the inner runs reach it as hardware, without control
RPCs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.server import EmulatorServer, TimeMode
from emulator.testbed_bridge import router_entry
from re_contract.listeners import CONTROL
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed


def pytest_configure(config: pytest.Config) -> None:
    # pytest_plugins is refused in a conftest below the rootdir's; load pytester this way.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


LAB_TESTBED = """\
testbed:
  name: lab-under-test
routers:
  lab1:
    platform: MX480
    emulated: false
    allow_disruptive: {allow}
    re0: {{host: 127.0.0.1, port: {re0}}}
    re1: {{host: 127.0.0.1, port: {re1}}}
    credentials: {{username: lab, password: lab123}}
    host_keys: {{policy: ignore}}
    timeouts: {{connect: 5, rpc: 10, switchover: 30, halt: 30}}
"""


@dataclass(frozen=True)
class LabRouter:
    """An emulated router reachable as a lab router: its RE endpoints and its control port
    (which only the outer test uses, e.g. to move the virtual clock)."""

    endpoints: dict[str, Endpoint]
    control: Endpoint

    def write(self, pytester: pytest.Pytester, allow: bool = True) -> Path:
        """Write a lab testbed naming this router ``lab1`` into the pytester directory; return
        its path."""
        text = LAB_TESTBED.format(allow=str(allow).lower(), re0=self.endpoints["re0"].port,
                                  re1=self.endpoints["re1"].port)
        path = pytester.path / "lab.yaml"
        path.write_text(text)
        return path


@pytest.fixture
def lab_router() -> Iterator[LabRouter]:
    """The default testbed's r1, served in-process on free loopback ports (fresh per test)."""
    spec = load_testbed(default_testbed_path()).router("r1")
    # A lab router runs on the wall clock: a switchover resolves in its own (real) seconds.
    server = EmulatorServer([router_entry(spec)], time_mode=TimeMode.REAL)
    eps = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
    try:
        yield LabRouter({re: eps[re] for re in ("re0", "re1")}, eps[CONTROL])
    finally:
        server.stop()


SMALL_FLEET = """\
testbed:
  name: small-fleet
defaults:
  emulated: true
  credentials: {username: lab, password: lab123}
  control: {username: re-control, password: re-control}
routers:
  mx-a:
    platform: MX480
    re0: {host: 127.0.0.1, port: 0}
    re1: {host: 127.0.0.1, port: 0}
  t-b:
    platform: T640
    re0: {host: 127.0.0.1, port: 0}
    re1: {host: 127.0.0.1, port: 0}
  m7i-c:
    platform: M7i
    re0: {host: 127.0.0.1, port: 0}
"""


@pytest.fixture
def small_fleet(pytester: pytest.Pytester) -> Path:
    """An emulated testbed of three routers (MX480, T640, single-RE M7i) in the pytester
    directory; return its path."""
    path = pytester.path / "small-fleet.yaml"
    path.write_text(SMALL_FLEET)
    return path


@pytest.fixture
def closed_lab(pytester: pytest.Pytester) -> Path:
    """A lab testbed whose router ``lab1`` points at 127.0.0.1:1 (nothing listens) and does not
    allow disruptive tests (re1: port 2); return its path."""
    text = LAB_TESTBED.format(allow="false", re0=1, re1=2)
    path = pytester.path / "closed-lab.yaml"
    path.write_text(text)
    return path
