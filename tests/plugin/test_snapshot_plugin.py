"""The plugin's snapshots: pre/post snapshots and their diff around disruptive tests, written
under ``--report-dir``; the ``snapshots`` marker (rules, strict) and fixture; ``--snapshots`` and
``--snapshot-file``.  Inner runs against the default (emulated) testbed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BEHIND = "set system host-name changed-behind-the-back"

TESTS = f"""
import pytest
from ncclient import manager


def change_behind_the_back(router):
    # Another NETCONF client commits a line: the harness knows nothing of it.
    ep = router.spec.endpoints["re0"]
    with manager.connect(host=ep.host, port=ep.port, username="lab", password="lab123",
                         hostkey_verify=False, look_for_keys=False, allow_agent=False,
                         device_params={{"name": "junos"}}, timeout=30) as other:
        other.load_configuration(action="set", config="{BEHIND}")
        other.commit()


@pytest.mark.disruptive
def test_switch(router):
    router.switchover("switch")


@pytest.mark.disruptive
@pytest.mark.snapshots(strict=True)
def test_changed_behind(router):
    change_behind_the_back(router)


@pytest.mark.snapshots(strict=True, expect={{"configuration/re0": "may-change",
                                             "versions/re0/host-name": "may-change"}})
def test_changed_as_expected(router):
    change_behind_the_back(router)


def test_read_only(router):
    assert router.master == "re0"


def test_takes_its_own(router):
    router.snapshot("mine")


@pytest.mark.disruptive
def test_explicit(router, snapshots):
    router.switchover("switch")
    router.snapshot("midway")
    found = snapshots.check()
    assert found.clean, found.explain()
    assert found.context.switchover
"""


def _test_dir(out: Path, name: str) -> Path:
    found = [p for p in (out / "snapshots" / "r1").iterdir() if f"_{name}_r1" in p.name]
    assert len(found) == 1, found
    return found[0]


def test_disruptive_tests_get_pre_post_snapshots_and_a_diff(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    out = pytester.path / "out"
    result = pytester.runpytest("--report-dir", str(out), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=1)
    switch = _test_dir(out, "test_switch")
    assert sorted(p.name for p in switch.iterdir()) == ["diff.json", "diff.txt", "post.json",
                                                        "pre.json"]
    diff = json.loads((switch / "diff.json").read_text())
    assert diff["clean"] and diff["context"]["switchover"]
    pre = json.loads((switch / "pre.json").read_text())
    assert pre["test"].endswith("::test_switch[r1]")
    assert pre["format"] == "re-harness-snapshot" and pre["roles"] == {"re0": "master",
                                                                       "re1": "backup"}
    assert {"re-status", "configuration", "fpc", "mastership-log"} <= set(pre["captures"])
    # The deliberate change behind the suite's back is reported, and errors the strict test.
    behind = json.loads((_test_dir(out, "test_changed_behind") / "diff.json").read_text())
    assert f"configuration/re0/{BEHIND}" in {c["path"] for c in behind["unexpected"]}
    assert not any(c["path"].endswith(("mastership-state", "up-time"))
                   for c in behind["unexpected"])
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_changed_behind*",
        "*SnapshotDiffError*",
        f"*configuration/re0/{BEHIND}: added*",
        "re-harness snapshots: 4 pre/post diff(s), 1 with unexpected changes",
        "*test_changed_behind*: 3 unexpected: *diff.txt",
    ])
    # A read-only test gets none; a test's own snapshot is stored (beside pre and post).
    assert not any("test_read_only" in p.name for p in (out / "snapshots" / "r1").iterdir())
    assert (_test_dir(out, "test_explicit") / "midway.json").is_file()
    mine = json.loads((_test_dir(out, "test_takes_its_own") / "mine.json").read_text())
    assert mine["test"].endswith("::test_takes_its_own[r1]")


def test_snapshots_off_takes_none_but_the_fixture_still_works(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    out = pytester.path / "out"
    result = pytester.runpytest("--report-dir", str(out), "--snapshots", "off",
                                "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    assert sorted(p.name for p in (out / "snapshots" / "r1").iterdir()) == sorted(
        _test_dir(out, name).name for name in ("test_explicit", "test_takes_its_own"))


def test_marked_takes_them_around_marked_tests_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    out = pytester.path / "out"
    result = pytester.runpytest("--report-dir", str(out), "--snapshots", "marked",
                                "-k", "switch or changed", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    names = sorted(p.name for p in (out / "snapshots" / "r1").iterdir())
    assert len(names) == 2 and not any("test_switch" in n for n in names)


def test_a_snapshot_file_adds_items(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    extra = pytester.path / "snaps.yaml"
    extra.write_text("items:\n  task-replication: {rpc: get-routing-task-replication-state, "
                     "re: master}\n")
    out = pytester.path / "out"
    result = pytester.runpytest("--report-dir", str(out), "--snapshot-file", str(extra),
                                "-k", "test_switch", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    pre = json.loads((_test_dir(out, "test_switch") / "pre.json").read_text())
    assert "task-replication" in pre["captures"]


@pytest.mark.parametrize(("args", "message"), [
    (["--snapshots", "always"], "--snapshots: expected one of disruptive, marked, off"),
    (["--snapshot-file", "nope.yaml"], "--snapshot-file: expected a YAML file"),
])
def test_bad_options_are_usage_errors(pytester: pytest.Pytester, args: list[str],
                                      message: str) -> None:
    pytester.makepyfile("def test_x(): pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_a_bad_snapshot_file_names_its_problem(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass\n")
    bad = pytester.path / "snaps.yaml"
    bad.write_text("rules:\n  - {path: x, check: bogus}\n")
    result = pytester.runpytest("--snapshot-file", str(bad))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--snapshot-file: *snaps.yaml: rules[[]0].check: expected a "
                                 "check among*"])


def test_a_bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.snapshots("pre")
        def test_x(router):
            pass
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*@pytest.mark.snapshots: expected keyword arguments*"])


RESTARTS = """
import pytest


def back(router, name):
    router.clock.wait_until(lambda: router.state.settled(name), 900, f"{name} back",
                            poll=5.0)


@pytest.mark.disruptive
@pytest.mark.snapshots(strict=True, items=["re-status"])
def test_reboots_the_backup(router):
    router.reboot("re1")


@pytest.mark.disruptive
@pytest.mark.snapshots(strict=True, items=["re-status"])
def test_backup_crashes_unasked(router):
    # A control RPC straight to the emulator: no consent asked, as if re1 crashed by itself.
    router.control("crash-re", re="re1")
    router.drop_session("re1")
    back(router, "re1")


@pytest.mark.disruptive
@pytest.mark.snapshots(strict=True, items=["re-status"])
def test_reboot_and_crash(router):
    # re1 rebooted by the test (expected), then re0 crashed behind its back (unexpected).
    router.reboot("re1")
    router.control("crash-re", re="re0")
    router.drop_session("re0")
    router.forget_master()
    back(router, "re0")
"""


def test_a_restart_the_test_asked_for_is_expected_and_any_other_is_not(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(RESTARTS)
    out = pytester.path / "out"
    result = pytester.runpytest("--report-dir", str(out), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=2)
    asked = json.loads((_test_dir(out, "test_reboots_the_backup") / "diff.json").read_text())
    assert asked["clean"] and asked["context"]["restarted"] == ["re1"]
    assert "re-status/re0/route-engine[1]/up-time" in {c["path"] for c in asked["expected"]}
    unasked = json.loads((_test_dir(out, "test_backup_crashes_unasked") / "diff.json"
                          ).read_text())
    assert unasked["context"]["restarted"] == []
    assert "re-status/re0/route-engine[1]/up-time" in {c["path"] for c in unasked["unexpected"]}
    both = json.loads((_test_dir(out, "test_reboot_and_crash") / "diff.json").read_text())
    assert both["context"]["restarted"] == ["re1"]
    assert {c["path"].split("/")[2] for c in both["unexpected"]
            if c["path"].endswith("up-time")} == {"route-engine[0]"}
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_backup_crashes_unasked*",
                                 "*re-status/re?/route-engine[[]1]/up-time: * (went back: "
                                 "restarted since the first snapshot)*"])
