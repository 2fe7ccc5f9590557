"""The compatibility matrix (issue 13, point 6): real clients against the served emulator.

Each client runs in the tox environment that installs it (``tox -e compat-pyez`` ...); the
environment names its clients in ``RE_COMPAT`` and exactly their modules are collected.  A
module for a client the environment does not hold is left out by this configuration (the
README's ``pytest tests`` in the main venv holds none of them); a module the environment is
meant to run imports its client at the top, so a missing client is a collection error, never a
skip.

Each NETCONF operation runs against two served routers (:data:`tests.netconf_hello.HELLOS`): one
offering the real Junos hello (base:1.0 only: end-of-message framing, RFC 6242 section 4.1) and
one offering base:1.1 too (chunked framing with a client whose hello lists base:1.1).  After
each test the ``wire`` fixture reads the server's log: every NETCONF session the client opened
must have spoken the framing the two hellos lead to, or the test fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.compat.served import (
    CLIENT_BASE_1_1,
    FRAMING_NAMES,
    TARGETS,
    Matrix,
    ServedEmulator,
    results_dir,
)
from tests.netconf_hello import HELLOS, Hello

#: Client key (as ``RE_COMPAT`` names it) -> its test module.
CLIENT_MODULES = {
    "pyez": "test_pyez.py",
    "jsnapy": "test_jsnapy.py",
    "napalm": "test_napalm.py",
    "ansible": "test_ansible.py",
    "scrapli": "test_scrapli.py",
    "netconf-console": "test_netconf_console.py",
    "openssh": "test_openssh.py",
    "ncclient": "test_ncclient.py",
    "parsers": "test_parsers.py",
}


def _selected() -> set[str]:
    chosen = {c.strip() for c in os.environ.get("RE_COMPAT", "").split(",") if c.strip()}
    unknown = chosen - set(CLIENT_MODULES)
    if unknown:
        raise pytest.UsageError(f"RE_COMPAT names unknown clients {sorted(unknown)}; "
                                f"known: {sorted(CLIENT_MODULES)}")
    return chosen


collect_ignore = [module for client, module in CLIENT_MODULES.items()
                  if client not in _selected()]

_MATRIX = Matrix()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "compat(client, distribution, operation, *, netconf=True, base_1_1=None): "
                   "one operation of the compatibility matrix (docs/compatibility.md); "
                   "netconf=False: no NETCONF session (served with the Junos hello only, "
                   "nothing to check on the wire); base_1_1: whether the client's hello lists "
                   "base:1.1 (default: CLIENT_BASE_1_1)")


def _one_hello(marker: pytest.Mark | None) -> bool:
    return marker is not None and not marker.kwargs.get("netconf", True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Serve each test's router with each hello (the Junos one only for a test without
    NETCONF); one server per hello for the whole run."""
    if "hello" not in metafunc.fixturenames:
        return
    hellos = HELLOS[:1] if _one_hello(metafunc.definition.get_closest_marker("compat")) \
        else HELLOS
    metafunc.parametrize("hello", hellos, ids=[h.name.replace(":", "-") for h in hellos],
                         scope="session")


@dataclass(frozen=True)
class Wire:
    """What a test's NETCONF sessions must speak: the router's ``hello`` and whether the
    client's hello lists base:1.1."""

    hello: Hello
    client_base_1_1: bool

    def framing(self) -> str:
        """Return the server's name of the framing (``eom`` or ``chunked``)."""
        return self.hello.framing(self.client_base_1_1)


def _wire(item: pytest.Item) -> Wire | None:
    """Return the wire check of ``item``, None for a test without NETCONF sessions."""
    marker = item.get_closest_marker("compat")
    callspec = getattr(item, "callspec", None)
    hello = callspec.params.get("hello") if callspec else None
    if marker is None or not isinstance(hello, Hello) or not marker.kwargs.get("netconf", True):
        return None
    offers = marker.kwargs.get("base_1_1")
    return Wire(hello, CLIENT_BASE_1_1[marker.args[0]] if offers is None else bool(offers))


def _row(item: pytest.Item) -> tuple[str, str]:
    """Return the (hello, framing) columns of ``item``'s matrix row."""
    callspec = getattr(item, "callspec", None)
    hello = callspec.params.get("hello") if callspec else None
    wire = _wire(item)
    if wire is not None:
        return wire.hello.name, FRAMING_NAMES[wire.framing()]
    return (hello.name if isinstance(hello, Hello) else "-"), "-"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Iterator[None]:
    """Record each compat test's outcome as a matrix cell (setup errors count as failures)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    marker = item.get_closest_marker("compat")
    if marker is None or (report.when != "call" and not report.failed):
        return
    callspec = getattr(item, "callspec", None)
    target = callspec.params.get("target", "-") if callspec else "-"
    result = "pass" if report.passed else ("skipped" if report.skipped else "FAIL")
    client, distribution, operation = marker.args
    _MATRIX.add(client, distribution, operation, *_row(item), target, result)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    where = results_dir()
    if where is not None and _MATRIX.cells:
        _MATRIX.write(where)


@pytest.fixture(scope="session")
def emulator(hello: Hello, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[ServedEmulator]:
    """``re-emulator serve --time virtual`` offering ``hello``, for every test run with it."""
    served = ServedEmulator(hello, tmp_path_factory.mktemp("serve"))
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(autouse=True)
def wire(request: pytest.FixtureRequest) -> Iterator[Wire | None]:
    """After a compat test on the ``served`` router: every NETCONF session its client opened
    spoke the framing the router's and the client's hellos lead to, as the server logged it
    (None for a test without NETCONF sessions).  Raises AssertionError at teardown."""
    check = _wire(request.node)
    if check is None or "served" not in request.fixturenames:
        yield None
        return
    emulator: ServedEmulator = request.getfixturevalue("emulator")
    mark = emulator.log_mark()
    yield check
    emulator.check_framing(mark, check.framing())


@pytest.fixture
def served(emulator: ServedEmulator) -> ServedEmulator:
    """The served router, reset to its testbed state (RE0 master, RE1 backup)."""
    emulator.reset()
    return emulator


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> str:
    """Each operation runs against re0, re1 and the master-only address."""
    return str(request.param)
