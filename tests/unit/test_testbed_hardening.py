"""Testbeds that cannot be turned against their users (issue 11, defect 8, the loader's side).

Bounded reads (a size cap, regular files only: a device is never read, a FIFO never waited on),
YAML alias and depth limits, messages that never render a whole value, distinct control and login
users, and no emulated user without a password.

The loads that once hung or exhausted memory (``/dev/zero``, a FIFO, the alias bomb) run in a
child process with a memory limit and a timeout, so a regression fails the test instead of
taking the machine down.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.testbed_bridge import router_entry
from re_contract import testbed as tb
from re_contract.errors import TestbedError
from re_contract.listeners import is_loopback
from re_contract.yaml_source import MAX_BYTES, MAX_DEPTH
from tests.unit.test_testbed import EMULATED, problems_of, write

#: The child loads a testbed and prints the TestbedError's message (exit 0), or dies.
_CHILD = """\
import sys
from re_contract.errors import TestbedError
from re_contract.testbed import load_testbed
try:
    load_testbed(sys.argv[1])
except TestbedError as exc:
    print(exc)
else:
    print("loaded")
"""
_CHILD_MEMORY = 1 << 30  # bytes of address space: far above a sane load, far below the machine
_CHILD_SECONDS = 30.0


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_CHILD_MEMORY, _CHILD_MEMORY))


def load_in_child(path: str | Path) -> str:
    """Return what loading ``path`` in a bounded child process says (the error message).

    Fails the test if the child does not finish in time or dies (memory, traceback).
    """
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                              text=True, timeout=_CHILD_SECONDS, preexec_fn=_limit_memory,
                              check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {path} took more than {_CHILD_SECONDS:.0f} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


# --------------------------------------------------------------------------------- bounded reads


def test_a_device_is_refused_without_being_read() -> None:
    message = load_in_child("/dev/zero")
    assert message == "/dev/zero: expected a regular file, got a character device"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "tb.yaml"
    os.mkfifo(fifo)
    assert load_in_child(fifo) == f"{fifo}: expected a regular file, got a FIFO"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == (f"{tmp_path}: expected a regular file, got a directory",)


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: nothing is written, nothing should be read
    assert problems_of(big) == (
        f"{big}: expected a file of at most {MAX_BYTES} bytes, got {MAX_BYTES + 1}",)


# --------------------------------------------------------------------------------- YAML limits

# "Billion laughs": nine levels of nine aliases each, about 400 bytes, 9**9 values expanded.
ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
) + "routers: {r1: {platform: *i}}\n"


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    assert len(ALIAS_BOMB) < 450
    path = write(tmp_path, ALIAS_BOMB)
    message = load_in_child(path)
    assert message.startswith(f"{path}: expected at most 1000000 nodes (aliases expanded), ")
    assert len(message) < 200


@pytest.mark.parametrize("deep", ["[" * 5000 + "]" * 5000, "a:\n" + "".join(
    f"{' ' * i}k{i}:\n" for i in range(1, 300)) + " " * 300 + "x: 1\n"])
def test_deep_nesting_is_a_testbed_error_not_a_recursion_error(tmp_path: Path, deep: str) -> None:
    (problem,) = problems_of(write(tmp_path, deep))
    assert f"expected at most {MAX_DEPTH} levels of nesting, got more (line " in problem


def test_nesting_through_aliases_is_bounded_too(tmp_path: Path) -> None:
    # Each anchor nests the previous one a level deeper: shallow as written, deep expanded.
    text = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200))
    (problem,) = problems_of(write(tmp_path, text + "routers: {}\n"))
    assert "levels of nesting (aliases expanded)" in problem


def test_aliases_within_the_limits_still_work(tmp_path: Path) -> None:
    text = EMULATED.replace("re0: {host: 127.0.0.1, port: 0}", "re0: &ep {host: 127.0.0.1}")
    text = text.replace("re1: {host: 127.0.0.1, port: 0}", "re1: *ep")
    spec = tb.load_testbed(write(tmp_path, text)).router("e1")
    assert spec.endpoints["re0"] == spec.endpoints["re1"] == tb.Endpoint("127.0.0.1", 0)


# --------------------------------------------------------------------------------- messages


def test_a_huge_unknown_key_is_not_rendered_whole(tmp_path: Path) -> None:
    key = "k" * 100_000
    # PyYAML limits plain keys to 1024 characters; an explicit key ("? ...") has no limit.
    problems = problems_of(write(tmp_path, EMULATED + f"    ? {key}\n    : 1\n"))
    assert all(len(p) < 400 for p in problems), [len(p) for p in problems]
    assert any("routers.e1." in p and "'kkkk" in p for p in problems)


def test_a_huge_duplicate_key_is_not_rendered_whole(tmp_path: Path) -> None:
    key = "d" * 100_000
    problems = problems_of(write(tmp_path, EMULATED + f"? {key}\n: 1\n? {key}\n: 2\n"))
    assert all(len(p) < 400 for p in problems), [len(p) for p in problems]
    assert any("each key once per mapping" in p for p in problems)


def test_a_huge_value_is_shown_truncated(tmp_path: Path) -> None:
    value = "[" + ", ".join(str(i) for i in range(50_000)) + "]"
    path = write(tmp_path, EMULATED.replace("port: 0}", f"port: {value}}}", 1))
    (problem,) = [p for p in problems_of(path) if "re0.port" in p]
    assert problem.endswith(", ...] (line 5)") and len(problem) < 300


# --------------------------------------------------------------------------------- users


def test_the_control_user_must_not_be_the_login_user(tmp_path: Path) -> None:
    path = write(tmp_path, EMULATED.replace("username: re-control", "username: Lab"))
    (problem,) = problems_of(path)
    assert problem == (f"{path}: routers.e1.control.username: expected a control user other "
                       f"than the login user 'lab', got 'Lab' (line 8)")


def test_the_control_user_from_the_defaults_must_differ_too(tmp_path: Path) -> None:
    text = "defaults:\n  control: {username: lab, password: x}\n" + EMULATED.replace(
        "    control: {username: re-control, password: ctl-secret}\n", "")
    (problem,) = problems_of(write(tmp_path, text))
    assert ": defaults.control.username: expected a control user other than" in problem


@pytest.mark.parametrize(("old", "new", "key_path"), [
    ("{username: lab, password: lab123}", "{username: lab, key_file: ~/.ssh/id}",
     "routers.e1.credentials"),
    ("{username: re-control, password: ctl-secret}", "{username: re-control}",
     "routers.e1.control"),
])
def test_an_emulated_user_needs_a_password(tmp_path: Path, old: str, new: str,
                                           key_path: str) -> None:
    path = write(tmp_path, EMULATED.replace(old, new))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: {key_path}: expected a password or password_env ")
    assert "got neither" in problem


def test_a_lab_user_may_log_in_by_key_alone(tmp_path: Path) -> None:
    text = EMULATED.replace("emulated: true", "emulated: false").replace(
        "port: 0", "port: 830", 1).replace("port: 0", "port: 831", 1).replace(
        "{username: lab, password: lab123}", "{username: lab, key_file: ~/.ssh/id}").replace(
        "    control: {username: re-control, password: ctl-secret}\n", "")
    assert tb.load_testbed(write(tmp_path, text)).router("e1").credentials.password() is None


def test_the_emulator_serves_no_user_without_a_password(tmp_path: Path) -> None:
    # A record made by hand (not loaded) still cannot open a password-less login.
    spec = tb.load_testbed(write(tmp_path, EMULATED)).router("e1")
    keyless = tb.Credentials(username="lab", router="e1")
    with pytest.raises(TestbedError, match="expected a password for user 'lab', got none"):
        router_entry(tb.RouterSpec(**{**_fields(spec), "credentials": keyless}))


def _fields(spec: tb.RouterSpec) -> dict[str, object]:
    return {name: getattr(spec, name) for name in spec.__dataclass_fields__}


# --------------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.3.4.5", True), ("::1", True), ("localhost", True),
    ("LOCALHOST.", True), ("0.0.0.0", False), ("::", False), ("192.0.2.1", False),
    ("lab-router", False), ("fe80::1%eth0", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert tb.Endpoint(host, 830).loopback is loopback
