"""``--record`` / ``--replay`` on a lab router (the emulator posing as one, reached without
control RPCs): the replay runs offline with the emulator stopped, without the lab's password,
without running the lab's fault commands and without waiting wall time; a test that asks what
was not recorded fails naming the router/RE, the RPC and what was recorded nearby."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from re_contract.testbed import default_testbed_path, load_testbed

REPO = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "RR_LAB_PASSWORD"

LAB = """\
testbed:
  name: lab-rr
routers:
  lab1:
    platform: MX480
    emulated: false
    allow_disruptive: true
    re0: {{host: 127.0.0.1, port: {re0}}}
    re1: {{host: 127.0.0.1, port: {re1}}}
    credentials: {{username: lab, password_env: {env}}}
    host_keys: {{policy: ignore}}
    timeouts: {{connect: 5, rpc: 10, switchover: 30, halt: 30}}
    faults:
      pdu_note: {{command: "{python} {script} {{re}}"}}
"""

#: The lab's "PDU": leaves a mark, so the test can tell whether it ran.
PDU = """\
import pathlib, sys
pathlib.Path(__file__).with_name(f"pdu-ran-{sys.argv[1]}").write_text("ran")
"""

TESTS = """
def test_lab(router):
    assert router.master == "re0"
    router.clock.sleep(0.2, "a short wait")
    polls = iter([False, True])
    router.clock.wait_until(lambda: next(polls), 5, "a second poll", poll=0.1)
    router.faults.make("pdu_note", "re1")
    assert [r.mastership_state for r in router.status(via="re1")] == ["master", "backup"]


def test_versions(router):
    assert router.rpc("re0", "<get-software-information/>").find(".//junos-version") is not None
"""


@pytest.fixture
def lab(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """The default testbed's r1 served as lab router ``lab1`` (testbed ``lab.yaml``)."""
    server = EmulatorServer([router_entry(load_testbed(default_testbed_path()).router("r1"))])
    eps = {ep.re: ep.port for ep in server.start()}
    (pytester.path / "pdu.py").write_text(PDU)
    (pytester.path / "lab.yaml").write_text(LAB.format(
        re0=eps["re0"], re1=eps["re1"], env=PASSWORD_ENV, python=sys.executable,
        script=pytester.path / "pdu.py"))
    monkeypatch.setenv(PASSWORD_ENV, "lab123")
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the inner runs load tests.integration's guard
    try:
        yield server
    finally:
        server.stop()


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("--testbed", "lab.yaml", "-p", "no:cacheprovider",
                                         "--allow-disruptive", *args)


def test_a_lab_run_replays_offline_without_password_commands_or_waits(
        pytester: pytest.Pytester, lab: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(TESTS)
    recorded = _run(pytester, "--record", "rec")
    recorded.assert_outcomes(passed=2)
    mark = pytester.path / "pdu-ran-re1"
    assert mark.is_file()
    mark.unlink()
    lab.stop()
    monkeypatch.delenv(PASSWORD_ENV)
    replayed = _run(pytester, "--replay", "rec", "-p", "tests.integration.offline_guard")
    replayed.assert_outcomes(passed=2)
    replayed.stdout.fnmatch_lines(["*offline guard: no connection, no sleep, no emulator*",
                                   "re-harness replay of *rec: no router or emulator was "
                                   "contacted"])
    assert not mark.exists(), "the replay ran the lab's fault command"


def test_asking_what_was_not_recorded_fails_naming_it(pytester: pytest.Pytester,
                                                      lab: EmulatorServer) -> None:
    pytester.makepyfile(TESTS)
    _run(pytester, "--record", "rec").assert_outcomes(passed=2)
    pytester.makepyfile(TESTS.replace('router.rpc("re0", "<get-software-information/>")',
                                      'router.rpc("re0", "<get-fpc-information/>")')
                        + "\n\ndef test_new(router):\n    router.master\n")
    result = _run(pytester, "--replay", "rec")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*ReplayMismatchError: test_asking_what_was_not_recorded_fails_naming_it.py::"
        "test_versions[[]lab1]: lab1/re0: asked rpc <get-fpc-information/> as event #*, but "
        "the recording holds rpc <get-software-information/> there.",
        "*Recorded nearby:",
        "*-> #* rpc <get-software-information/>",
    ])
    result.stdout.fnmatch_lines(["*ReplayMissingError: *::test_new[[]lab1]: not in the "
                                 "recording *rec (record it with --record, or deselect it)"])


def test_a_replay_with_other_options_is_refused(pytester: pytest.Pytester,
                                                lab: EmulatorServer) -> None:
    pytester.makepyfile(TESTS)
    _run(pytester, "--record", "rec", "-k", "versions").assert_outcomes(passed=1)
    result = _run(pytester, "--replay", "rec", "--snapshots", "off")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--replay *rec: expected the run's testbed and options as "
                                 "recorded*snapshots 'disruptive' recorded, 'off' now*"])
    missing = _run(pytester, "--replay", "nowhere")
    missing.stderr.fnmatch_lines(["*--replay: expected a directory written by --record*"])
    both = _run(pytester, "--replay", "rec", "--record", "rec2")
    both.stderr.fnmatch_lines(["*--record and --replay: expected one of them, got both*"])


def test_a_replay_error_the_test_swallowed_still_fails_it(pytester: pytest.Pytester,
                                                          lab: EmulatorServer) -> None:
    pytester.makepyfile("def test_x(router):\n    router.rpc('re0', '<get-fpc-information/>')\n")
    _run(pytester, "--record", "rec").assert_outcomes(passed=1)
    pytester.makepyfile("""
        def test_x(router):
            try:
                router.rpc('re0', '<get-software-information/>')
            except Exception:
                pass  # a careless test (or harness code tolerating router errors)
    """)
    result = _run(pytester, "--replay", "rec")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the replay went off the recording:*",
                                 "*lab1/re0: asked rpc <get-software-information/>*"])
