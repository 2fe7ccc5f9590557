"""JSNAPy against the served emulator: a snapshot before and after a mastership switch, then
``check``: what must not change does not (REs, versions, status), and the mastership change is
seen (a no-diff test on the mastership state fails, naming both slots)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jnpr.jsnapy import SnapAdmin

from tests.compat.served import ServedEmulator
from tests.compat.test_pyez import connect

compat = pytest.mark.compat

STABLE = """\
tests_include:
  - routing_engines
  - versions
routing_engines:
  - rpc: get-route-engine-information
  - iterate:
      xpath: route-engine
      id: slot
      tests:
        - no-diff: model
          err: "RE {{id_0}} model changed"
          info: "RE {{id_0}} model kept"
        - is-equal: status, OK
          err: "RE {{id_0}} status {{post['status']}}"
          info: "RE {{id_0}} OK"
versions:
  - command: show version invoke-on all-routing-engines
  - iterate:
      xpath: //multi-routing-engine-item
      id: re-name
      tests:
        - no-diff: software-information/junos-version
          err: "{{id_0}} version changed"
          info: "{{id_0}} version kept"
"""

MASTERSHIP = """\
tests_include:
  - mastership
mastership:
  - rpc: get-route-engine-information
  - iterate:
      xpath: route-engine
      id: slot
      tests:
        - no-diff: mastership-state
          err: "RE {{id_0}} went from {{pre['mastership-state']}} to {{post['mastership-state']}}"
          info: "RE {{id_0}} kept its mastership state"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JSNAPy home of the test's own: configuration, quiet logging, test files."""
    (tmp_path / "jsnapy.cfg").write_text(
        f"[DEFAULT]\nconfig_file_path = {tmp_path}\nsnapshot_path = {tmp_path}/snapshots\n"
        f"test_file_path = {tmp_path}/testfiles\n")
    (tmp_path / "logging.yml").write_text(
        "version: 1\ndisable_existing_loggers: false\n"
        "handlers: {null: {class: logging.NullHandler}}\n"
        "root: {level: WARNING, handlers: [null]}\n")
    (tmp_path / "testfiles").mkdir()
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "testfiles" / "stable.yml").write_text(STABLE)
    (tmp_path / "testfiles" / "mastership.yml").write_text(MASTERSHIP)
    monkeypatch.setenv("JSNAPY_HOME", str(tmp_path))
    return tmp_path


def _snap(js: SnapAdmin, served: ServedEmulator, target: str, tag: str, home: Path) -> None:
    with connect(served, target) as dev:
        for tests in ("stable.yml", "mastership.yml"):
            js.snap({"tests": [tests]}, f"{tests}-{tag}", dev=dev, folder=str(home))


@compat("JSNAPy", "jsnapy", "snap / check across a switchover")
def test_snap_check_across_a_switchover(served: ServedEmulator, target: str,
                                        home: Path) -> None:
    js = SnapAdmin()
    _snap(js, served, target, "pre", home)
    with connect(served, "master") as dev:
        dev.rpc.request_chassis_routing_engine_switch(no_confirm=True)
    assert served.settle() == "re1"
    _snap(js, served, target, "post", home)
    with connect(served, target) as dev:
        (stable,) = js.check({"tests": ["stable.yml"]}, "stable.yml-pre", "stable.yml-post",
                             dev=dev, folder=str(home))
        (moved,) = js.check({"tests": ["mastership.yml"]}, "mastership.yml-pre",
                            "mastership.yml-post", dev=dev, folder=str(home))
    assert stable.result == "Passed", stable.test_details
    assert _counts(stable) == (6, 0)  # model and status of 2 REs, versions of 2 REs
    assert moved.result == "Failed"
    assert _counts(moved) == (0, 2)
    messages = sorted(f["message"] for d in moved.test_details["get-route-engine-information"]
                      for f in d["failed"])
    assert messages == ["RE ['0'] went from ['master'] to ['backup']",
                        "RE ['1'] went from ['backup'] to ['master']"]


def _counts(result: object) -> tuple[int, int]:
    """Return (items passed, items failed) over every test of a JSNAPy check result."""
    details = [d for tests in result.test_details.values() for d in tests]  # type: ignore[attr-defined]
    return (sum(d["count"]["pass"] for d in details), sum(d["count"]["fail"] for d in details))
