"""An exception raised inside the in-process emulator fails the test during which it happened,
with the emulator's traceback in the report (issue 9 point 4), even when the client side of the
test swallowed the error reply it got."""

from __future__ import annotations

import pytest

CRASHING_CONFTEST = """
import pytest

from emulator.commands.dispatch import Dispatcher


@pytest.fixture(autouse=True)
def crash_on_probe(monkeypatch):
    # A deliberate bug inside the emulator: one RPC makes the server-side handler raise.
    real = Dispatcher.dispatch

    def dispatch(self, ctx, op, *, control):
        if op.tag == "get-crash-probe":
            raise ZeroDivisionError("deliberate crash inside an emulator session")
        return real(self, ctx, op, control=control)

    monkeypatch.setattr(Dispatcher, "dispatch", dispatch)
"""


def test_server_error_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CRASHING_CONFTEST)
    pytester.makepyfile("""
        import pytest

        from harness.errors import RpcFailedError

        def test_1_swallows_the_error_reply(router):
            with pytest.raises(RpcFailedError, match="internal error: ZeroDivisionError"):
                router.rpc("re0", "<get-crash-probe/>")

        def test_2_clean_afterwards(router):
            assert router.master == "re0"
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*_ test_1_swallows_the_error_reply?r1? _*",
        "*the emulator raised while this test ran:*",
        "*emulator error in r1 re0 NETCONF session *, <get-crash-probe>*",
        "*ZeroDivisionError: deliberate crash inside an emulator session*",
    ])
    assert "conftest.py" in result.stdout.str()  # the traceback reaches the raising line


def test_failing_test_gets_the_emulator_errors_as_a_section(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CRASHING_CONFTEST)
    pytester.makepyfile("""
        def test_fails_itself(router):
            router.rpc("re0", "<get-crash-probe/>")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*re-emulator errors*", "*ZeroDivisionError*"])
