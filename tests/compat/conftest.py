"""The compatibility matrix (issue 13, point 6): real clients against the served emulator.

Each client runs in the tox environment that installs it (``tox -e compat-pyez`` ...); the
environment names its clients in ``RE_COMPAT`` and exactly their modules are collected.  A
module for a client the environment does not hold is left out by this configuration (the
README's ``pytest tests`` in the main venv holds none of them); a module the environment is
meant to run imports its client at the top, so a missing client is a collection error, never a
skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.compat.served import TARGETS, Matrix, ServedEmulator, results_dir

#: Client key (as ``RE_COMPAT`` names it) -> its test module.
CLIENT_MODULES = {
    "pyez": "test_pyez.py",
    "jsnapy": "test_jsnapy.py",
    "napalm": "test_napalm.py",
    "ansible": "test_ansible.py",
    "scrapli": "test_scrapli.py",
    "netconf-console": "test_netconf_console.py",
    "openssh": "test_openssh.py",
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
        "markers", "compat(client, distribution, operation): one operation of the "
                   "compatibility matrix (docs/compatibility.md)")


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
    _MATRIX.add(client, distribution, operation, target, result)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    where = results_dir()
    if where is not None and _MATRIX.cells:
        _MATRIX.write(where)


@pytest.fixture(scope="session")
def emulator() -> Iterator[ServedEmulator]:
    """``re-emulator serve --time virtual`` for the whole run."""
    served = ServedEmulator()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def served(emulator: ServedEmulator) -> ServedEmulator:
    """The served router, reset to its testbed state (RE0 master, RE1 backup)."""
    emulator.reset()
    return emulator


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> str:
    """Each operation runs against re0, re1 and the master-only address."""
    return str(request.param)
