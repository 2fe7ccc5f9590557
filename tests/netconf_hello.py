"""The NETCONF hello a served router offers, as a test parameter (issue 13, point 3).

A router in the testbed offers the real Junos hello (base:1.0 only: every client keeps RFC 6242
end-of-message framing) unless its ``emulator.netconf_base_1_1`` is true (base:1.1 offered too:
a client that speaks it switches to chunked framing).  Tests of any client exercise both with
the fixtures here; a conftest makes them available by importing them::

    from tests.netconf_hello import hello, served_hello  # noqa: F401

* ``hello`` is parametrised over :data:`HELLOS` (ids ``base-1.0`` and ``base-1.1``);
* ``served_hello`` serves the default testbed's ``r1`` in-process with that hello;
* :func:`write_hello_testbed` writes the default testbed with the knob set, for a server run as
  a command (``re-emulator serve --testbed PATH``);
* :func:`session_framings` reads which framing the server's sessions settled on from its log
  (an INFO line per client hello), so a test checks the wire, not only the client's word.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from re_contract.records import EmulatorSettings, RouterSpec
from re_contract.testbed import default_testbed_path, load_testbed

__all__ = ["HELLOS", "Hello", "HelloServed", "hello", "served_hello", "session_framings",
           "write_hello_testbed", "with_hello"]

#: The emulator's logger that reports each client hello and the framing it settled on.
SESSION_LOGGER = "emulator.session_glue"
_FRAMING = re.compile(r"client hello; framing (\w+)")


@dataclass(frozen=True, slots=True)
class Hello:
    """One server hello: ``name`` as tests show it, and whether it offers base:1.1."""

    name: str
    base_1_1: bool

    def framing(self, client_offers_1_1: bool = True) -> str:
        """Return the framing a session settles on (``eom`` or ``chunked``): chunked only when
        both hellos list base:1.1 (RFC 6242 section 4.1)."""
        return "chunked" if self.base_1_1 and client_offers_1_1 else "eom"


#: The real Junos hello, and the one that also offers base:1.1.
HELLOS: tuple[Hello, ...] = (Hello("base:1.0", False), Hello("base:1.1", True))


@dataclass(frozen=True, slots=True)
class HelloServed:
    """Router ``r1`` served with ``hello``: where each listener is (re0, re1, master)."""

    hello: Hello
    endpoints: dict[str, tuple[str, int]]
    server: EmulatorServer

    def endpoint(self, re: str) -> tuple[str, int]:
        """Return (host, port) of listener ``re``."""
        return self.endpoints[re]


def with_hello(spec: RouterSpec, hello: Hello) -> RouterSpec:
    """Return ``spec`` (an emulated router) with ``emulator.netconf_base_1_1`` set as
    ``hello`` says."""
    settings = spec.emulator or EmulatorSettings(hostname=spec.name)
    return dataclasses.replace(
        spec, emulator=dataclasses.replace(settings, netconf_base_1_1=hello.base_1_1))


def write_hello_testbed(directory: Path, hello: Hello, source: Path | None = None) -> Path:
    """Write ``source`` (default: the packaged default testbed) into ``directory`` with every
    router's ``emulator.netconf_base_1_1`` set as ``hello`` says; return the new file's path."""
    data = yaml.safe_load((source or default_testbed_path()).read_text())
    for router in data["routers"].values():
        router.setdefault("emulator", {})["netconf_base_1_1"] = hello.base_1_1
    path = directory / f"testbed-{hello.name.replace(':', '-')}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def session_framings(records: Sequence[logging.LogRecord]) -> list[str]:
    """Return the framing of each NETCONF session the server established, in order, from the
    records a test captured (``caplog.records`` at INFO for :data:`SESSION_LOGGER`)."""
    found = []
    for record in records:
        match = _FRAMING.search(record.getMessage()) if record.name == SESSION_LOGGER else None
        if match is not None:
            found.append(match.group(1))
    return found


@pytest.fixture(params=HELLOS, ids=[h.name.replace(":", "-") for h in HELLOS])
def hello(request: pytest.FixtureRequest) -> Hello:
    """Each server hello in turn: the real Junos one, then one offering base:1.1 too."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def served_hello(hello: Hello, caplog: pytest.LogCaptureFixture) -> Iterator[HelloServed]:
    """The default testbed's ``r1`` served in-process with ``hello`` on free loopback ports;
    the server's session log is captured at INFO (read it with :func:`session_framings`)."""
    caplog.set_level(logging.INFO, logger=SESSION_LOGGER)
    spec = with_hello(load_testbed(default_testbed_path()).router("r1"), hello)
    server = EmulatorServer([router_entry(spec)])
    endpoints = {ep.re: (ep.host, ep.port) for ep in server.start()}
    try:
        yield HelloServed(hello, endpoints, server)
    finally:
        server.stop()
    errors = server.take_errors()
    assert not errors, "\n".join(error.format() for error in errors)
