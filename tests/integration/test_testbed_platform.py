"""A testbed can override its router's platform (DESIGN: the catalogue is data, extensible from
the testbed); a bad override is a testbed error naming file, key path, expectation and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from harness.session import ConnectParams, RESession
from re_contract.errors import TestbedError
from re_contract.testbed import load_testbed

ROUTER = """\
routers:
  r9:
    platform: MX480
    emulated: true
    re0: {{host: 127.0.0.1, port: 0}}
    re1: {{host: 127.0.0.1, port: 0}}
    credentials: {{username: lab, password: lab123}}
    control: {{username: ctl, password: ctl}}
    host_keys: {{policy: ignore}}
    emulator:
      platform: {override}
"""


def _testbed(tmp_path: Path, override: str) -> Path:
    path = tmp_path / "tb.yaml"
    path.write_text(ROUTER.format(override=override))
    return path


def test_platform_override_reaches_the_router(tmp_path: Path) -> None:
    spec = load_testbed(_testbed(tmp_path, "{re_model: RE-S-2X00x6}")).router("r9")
    server = EmulatorServer([router_entry(spec)])
    eps = {ep.re: ep for ep in server.start()}
    try:
        sess = RESession(ConnectParams("127.0.0.1", eps["re1"].port, "lab", "lab123")).open()
        reply = sess.rpc("<get-route-engine-information/>")
        sess.close()
    finally:
        server.stop()
    assert [m.text for m in reply.iter("model")] == ["RE-S-2X00x6", "RE-S-2X00x6"]


def test_bad_platform_override_is_a_testbed_error(tmp_path: Path) -> None:
    path = _testbed(tmp_path, "{re_slots: seven}")
    with pytest.raises(TestbedError) as err:
        router_entry(load_testbed(path).router("r9"))
    message = str(err.value)
    assert str(path) in message and "routers.r9.emulator.platform" in message
    assert "expected an integer" in message and "'seven'" in message


@pytest.mark.parametrize(("platform", "override", "key_path", "expected", "got"), [
    ("MX4800", "{}", "routers.r9.platform", "a platform of the catalogue ('M5'",
     "'MX4800' (did you mean 'MX480'?) (line 3)"),
    ("MX480", "{re_slots: 1}", "routers.r9.emulator.platform.redundancy",
     "none for a single-RE platform", "'routing-engine' (line 11)"),
    ("lab-mx", "{base: MX5000}", "routers.r9.emulator.platform.base",
     "a platform of the catalogue ('M5'", "'MX5000' (line 11)"),
    ("MX10003", "{product_model: mx10003}", "routers.r9.emulator.platform.description",
     "a value (required for a new platform)", "null (line 11)"),
])
def test_what_only_the_catalogue_can_check_is_a_testbed_error_at_its_key(
    tmp_path: Path, platform: str, override: str, key_path: str, expected: str, got: str
) -> None:
    path = tmp_path / "tb.yaml"
    path.write_text(ROUTER.format(override=override).replace("MX480", platform, 1))
    spec = load_testbed(path).router("r9")
    with pytest.raises(TestbedError) as err:
        router_entry(spec)
    message = str(err.value)
    assert message.startswith(f"{path}: {key_path}: expected {expected}"), message
    assert message.endswith(f", got {got}"), message
