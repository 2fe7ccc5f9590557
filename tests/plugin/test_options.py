"""The plugin's options: one group, values checked on parsing, usage errors that say what is
wrong; ``-n`` alone means ``--dist loadgroup``."""

from __future__ import annotations

from pathlib import Path

import pytest

OPTIONS = ("--testbed", "--allow-disruptive", "--router", "--report-dir", "--lock-dir",
           "--lock-timeout")

NO_ROUTER_TEST = "def test_nothing() -> None:\n    pass\n"


def test_help_shows_one_group_with_every_option(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    assert "dual Routing Engine redundancy harness:" in text
    group = text.split("dual Routing Engine redundancy harness:", 1)[1]
    for option in OPTIONS:
        assert option in group, option


@pytest.mark.parametrize(("args", "message"), [
    (["--lock-timeout", "-3"], "--lock-timeout: expected seconds > 0, got '-3'"),
    (["--lock-timeout", "soon"], "--lock-timeout: expected seconds > 0, got 'soon'"),
    (["--router", "no such"], "--router: expected a router name of the testbed"),
    (["--testbed", ""], "--testbed: expected a testbed YAML file, got an empty value"),
    (["--report-dir", ""], "--report-dir: expected a directory, got an empty value"),
])
def test_bad_values_are_usage_errors(pytester: pytest.Pytester, args: list[str],
                                     message: str) -> None:
    pytester.makepyfile(NO_ROUTER_TEST)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_report_dir_that_is_a_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(NO_ROUTER_TEST)
    blocker = pytester.path / "taken"
    blocker.write_text("a file")
    result = pytester.runpytest("--report-dir", str(blocker))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--report-dir: expected a directory, got the file*"])


def test_unknown_router_lists_the_testbed_routers(pytester: pytest.Pytester,
                                                  small_fleet: Path) -> None:
    pytester.makepyfile(NO_ROUTER_TEST)
    result = pytester.runpytest("--testbed", str(small_fleet), "--router", "mx-z")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--router: expected a router of testbed 'small-fleet' (mx-a, t-b, m7i-c), got mx-z*"])


def test_missing_testbed_names_the_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(NO_ROUTER_TEST)
    result = pytester.runpytest("--testbed", "nowhere/lab.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--testbed: *nowhere/lab.yaml*"])


def test_router_option_selects_routers(pytester: pytest.Pytester, small_fleet: Path) -> None:
    pytester.makepyfile("def test_name(router_name: str) -> None:\n    pass\n"
                        "def test_uses(router) -> None:\n    pass\n")
    result = pytester.runpytest("--testbed", str(small_fleet), "--router", "t-b",
                                "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_uses[[]t-b[]]*"])
    assert "mx-a" not in result.stdout.str()


DIST_PROBE = """
def pytest_report_header(config):
    return f"dist mode: {config.getoption('dist')}"
"""


@pytest.mark.parametrize(("args", "expected"), [
    (["-n", "2"], "loadgroup"),
    (["-n", "2", "--dist", "load"], "load"),
    (["-n", "2", "--dist", "loadscope"], "loadscope"),
    ([], "no"),
])
def test_n_without_dist_means_loadgroup(pytester: pytest.Pytester, args: list[str],
                                        expected: str) -> None:
    """``-n N`` alone runs as ``--dist loadgroup`` (on the controller, which schedules); an
    explicit ``--dist`` is kept, and without ``-n`` nothing is distributed."""
    pytester.makeconftest(DIST_PROBE)
    pytester.makepyfile(NO_ROUTER_TEST)
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"dist mode: {expected}"])
