"""The pytest plugin (entry point ``pytest11``): options, markers and fixtures, nothing more.

Options are in one group with one prefix-free set of names under "re-harness"; the logic lives
in :mod:`harness.pool`, :mod:`harness.router` and :mod:`harness.markers`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import markers
from harness.mastership import explain_comparison
from harness.errors import TestbedError
from harness.pool import RouterPool
from harness.router import DualRERouter
from harness.testbed import Testbed, default_testbed_path, load_testbed

__all__ = ["pytest_addoption", "pytest_assertrepr_compare", "pytest_configure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("re-harness", "dual Routing Engine redundancy harness")
    group.addoption("--testbed", default=None, metavar="FILE",
                    help="testbed YAML (default: the packaged emulated.yaml)")
    group.addoption("--allow-disruptive", action="store_true", default=False,
                    help="allow switchover/halt/reboot on lab routers whose testbed entry "
                         "also allows them (emulated routers always allow)")
    group.addoption("--router", action="append", default=[], metavar="NAME",
                    help="run only against these routers of the testbed (repeatable)")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write the HTML timeline report and JSON results here")


def pytest_configure(config: pytest.Config) -> None:
    markers.register(config)
    path = config.getoption("--testbed")
    try:
        testbed = load_testbed(path) if path else load_testbed(default_testbed_path())
    except TestbedError as exc:
        raise pytest.UsageError(f"--testbed: {exc}") from exc
    config.stash[markers.TESTBED_KEY] = testbed


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "router" in metafunc.fixturenames:
        names = markers.selected_routers(metafunc.config)
        metafunc.parametrize("router_name", names, ids=names, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markers.group_by_router(items)


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object
                              ) -> list[str] | None:
    return explain_comparison(op, left, right)


@pytest.fixture(scope="session")
def testbed(pytestconfig: pytest.Config) -> Testbed:
    """The loaded, validated testbed of this run."""
    return pytestconfig.stash[markers.TESTBED_KEY]


@pytest.fixture(scope="session")
def router_pool(testbed: Testbed) -> Iterator[RouterPool]:
    """Every router of the testbed (emulators started on first use); closed at session end."""
    pool = RouterPool(testbed)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def router_name() -> str:
    """The router a test runs against (parametrized over the testbed by the plugin)."""
    raise pytest.UsageError("router_name is parametrized by the re-harness plugin")


@pytest.fixture
def router(request: pytest.FixtureRequest, router_pool: RouterPool, router_name: str
           ) -> Iterator[DualRERouter]:
    """The router under test, reset to a known state; skips when markers do not qualify it,
    and after a disruptive test restores the mastership it found."""
    dut = router_pool.get(router_name)
    markers.skip_unless_qualified(request, dut)
    with markers.restoring(request, dut):
        yield dut
