"""Issue 11, defect 8: a testbed cannot be turned against its users.  ``re-emulator serve``
refuses, at once and in one message, a testbed that would weaken authentication or cost it
unbounded time or memory; it listens beyond loopback only when told so by ``--bind``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import paramiko
import pytest

from tests.fuzz.wire import Client, serve, write_testbed

#: Seconds a refusal may take (the alias bomb used to take 141 s and 2.2 GB).
REFUSAL_TIMEOUT = 60


def refused(path: Path | str, *extra: str) -> str:
    """Run ``re-emulator serve --testbed path``; return its stderr, asserting exit status 2
    without a traceback (a hang fails by the timeout)."""
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--time", "virtual",
                           "--testbed", str(path), *extra], capture_output=True, text=True,
                          timeout=REFUSAL_TIMEOUT, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    return done.stderr


def test_a_key_only_user_is_not_served_with_an_empty_password(tmp_path: Path) -> None:
    """A key-only emulated user used to be served with an empty password that logged in."""
    key = tmp_path / "id_test"
    key.write_text("not a key")
    path = write_testbed(tmp_path, credentials=f"username: lab\n      key_file: {key}")
    err = refused(path)
    assert "password" in err


def test_the_control_user_cannot_share_the_login_users_name(tmp_path: Path) -> None:
    path = write_testbed(tmp_path)
    path.write_text(path.read_text().replace("username: re-control, password: re-control",
                                             "username: lab, password: other"))
    assert "lab" in refused(path)


def test_an_empty_password_never_logs_in(tmp_path: Path) -> None:
    served = serve()
    try:
        with pytest.raises(paramiko.AuthenticationException):
            Client(*served.endpoints["re0"], "lab", "")
    finally:
        served.stop()


def test_listening_beyond_loopback_needs_bind_and_warns(tmp_path: Path) -> None:
    """``host: 0.0.0.0`` used to bind every interface silently."""
    path = write_testbed(tmp_path, host="0.0.0.0")
    assert "--bind 0.0.0.0" in refused(path)
    served = serve("--testbed", str(path), "--bind", "0.0.0.0")
    try:
        assert served.endpoints["re0"][0] == "0.0.0.0"
    finally:
        served.stop()
    err = served.stderr()
    assert "WARNING" in err and "listens on 0.0.0.0" in err


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\ntestbed: *a8\n")
    assert len(path.read_bytes()) < 600
    err = refused(path)
    assert str(path) in err and len(err) < 4000  # the value is never rendered whole


def test_deep_nesting_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("testbed: " + "[" * 5000 + "]" * 5000 + "\n")
    assert str(path) in refused(path)


def test_a_device_file_is_refused(tmp_path: Path) -> None:
    """``/dev/zero`` used to be read without bound."""
    assert "/dev/zero" in refused("/dev/zero")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "testbed.yaml"
    os.mkfifo(fifo)
    assert str(fifo) in refused(fifo)
