"""Markers: registered, checked, and skipping with a reason that says what to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugin.conftest import LabRouter


def _skips(result: pytest.RunResult) -> str:
    return "\n".join(line for line in result.outlines if line.startswith("SKIPPED"))


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.disruptive
        @pytest.mark.platform("MX480")
        @pytest.mark.requires_gres
        @pytest.mark.dual_re
        @pytest.mark.emulated_only
        @pytest.mark.acceptance
        def test_a() -> None:
            pass

        @pytest.mark.single_re_ok
        def test_b() -> None:
            pass
    """)
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=2)
    listed = pytester.runpytest("--markers").stdout.str()
    for name in ("disruptive:", "platform(*names):", "requires_gres:", "dual_re:",
                 "single_re_ok:", "emulated_only:", "acceptance:"):
        assert f"@pytest.mark.{name}" in listed, name


def test_disruptive_on_a_lab_router_that_does_not_allow_it_is_skipped_unconnected(
        pytester: pytest.Pytester, closed_lab: Path) -> None:
    """The router points at 127.0.0.1:1, where nothing listens: had the plugin tried to connect
    (fixtures, reset, mastership), the test would error instead of being skipped."""
    pytester.makepyfile("""
        import pytest

        @pytest.mark.disruptive
        def test_switch(router) -> None:
            router.switchover()
    """)
    result = pytester.runpytest("--testbed", str(closed_lab), "--allow-disruptive", "-rs")
    result.assert_outcomes(skipped=1)
    assert ("router lab1 does not allow disruptive operations; to allow them set "
            "'allow_disruptive: true' on it in the testbed and run with --allow-disruptive"
            in _skips(result))


def test_disruptive_on_an_allowing_lab_router_needs_the_option(
        pytester: pytest.Pytester, lab_router: LabRouter) -> None:
    testbed = lab_router.write(pytester, allow=True)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.disruptive
        def test_switch(router) -> None:
            pass

        def test_read_only(router) -> None:
            assert router.master == "re0"
    """)
    result = pytester.runpytest("--testbed", str(testbed), "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    assert ("disruptive test on lab router lab1: its testbed entry allows it; run with "
            "--allow-disruptive to allow it" in _skips(result))


def test_platform_single_re_and_emulated_only(pytester: pytest.Pytester,
                                              small_fleet: Path) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.platform("t640")
        def test_t_only(router) -> None:
            assert router.spec.platform == "T640"

        def test_dual(router) -> None:
            assert len(router.re_names) == 2

        @pytest.mark.single_re_ok
        def test_any(router) -> None:
            assert router.master == "re0"

        @pytest.mark.emulated_only
        def test_emulated(router) -> None:
            assert router.emulated
    """)
    result = pytester.runpytest("--testbed", str(small_fleet), "-rs")
    # t_only: 1 pass, 2 skip; dual: 2 pass, 1 skip; any: 3 pass; emulated: 2 pass, 1 skip
    result.assert_outcomes(passed=8, skipped=4)
    skips = _skips(result)
    assert "mx-a is a MX480; the test is for t640" in skips
    assert "m7i-c (M7i) has one Routing Engine" in skips


def test_emulated_only_on_a_lab_router(pytester: pytest.Pytester, closed_lab: Path) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.emulated_only
        def test_control(router) -> None:
            router.control("get-clock")
    """)
    result = pytester.runpytest("--testbed", str(closed_lab), "-rs")
    result.assert_outcomes(skipped=1)
    assert "lab1 is a lab router; the test needs the emulator's control RPCs" in _skips(result)


GRES_TESTBED = """\
testbed:
  name: gres
defaults:
  emulated: true
  credentials: {{username: lab, password: lab123}}
  control: {{username: re-control, password: re-control}}
routers:
  with-gres:
    platform: MX960
    re0: {{host: 127.0.0.1, port: 0}}
    re1: {{host: 127.0.0.1, port: 0}}
    emulator: {{config: "{gres}"}}
  without-gres:
    platform: MX960
    re0: {{host: 127.0.0.1, port: 0}}
    re1: {{host: 127.0.0.1, port: 0}}
"""


def test_requires_gres_asks_the_router(pytester: pytest.Pytester) -> None:
    testbed = pytester.path / "gres.yaml"
    testbed.write_text(GRES_TESTBED.format(gres="set chassis redundancy graceful-switchover"))
    pytester.makepyfile("""
        import pytest
        from harness.junos import parse_switchover

        @pytest.mark.requires_gres
        def test_gres(router) -> None:
            info = parse_switchover(router.rpc(router.backup, "<get-switchover-information/>"))
            assert info.graceful_switchover == "On"
    """)
    result = pytester.runpytest("--testbed", str(testbed), "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    assert ("without-gres: graceful Routing Engine switchover is not configured; enable it "
            "with 'set chassis redundancy graceful-switchover'" in _skips(result))


@pytest.mark.parametrize(("marks", "message"), [
    ("@pytest.mark.platform()", "@pytest.mark.platform: expected platform names"),
    ("@pytest.mark.platform(480)", "@pytest.mark.platform: expected platform names"),
    ("@pytest.mark.dual_re\n@pytest.mark.single_re_ok",
     "expected at most one of the markers dual_re and single_re_ok, got both"),
])
def test_misused_markers_are_usage_errors(pytester: pytest.Pytester, marks: str,
                                          message: str) -> None:
    pytester.makepyfile(f"import pytest\n\n{marks}\ndef test_a(router) -> None:\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])
