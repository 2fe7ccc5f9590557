"""``re-emulator serve`` for humans: the banner (endpoint lines first, then ``#`` lines with
consoles and credentials), and ``--state-dir`` keeping configurations and mastership logs across
a restart."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

from re_contract.testbed import default_testbed_path

CONSOLES = """
    console:
      re0: {host: 127.0.0.1, port: 0}
      re1: {host: 127.0.0.1, port: 0}
"""


@dataclass
class Serve:
    proc: subprocess.Popen[str]
    lines: list[str]

    def endpoint(self, re_name: str) -> tuple[str, int]:
        for line in self.lines:
            if not line.startswith("#") and line.split()[1] == re_name:
                host, port = line.split()[2].rsplit(":", 1)
                return host, int(port)
        raise KeyError(re_name)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def make_testbed_with_consoles(tmp_path: Path) -> Path:
    text = default_testbed_path().read_text()
    if "\n    console:" in text:
        return default_testbed_path()  # the default testbed has consoles already
    text = text.replace("    master_only: {host: 127.0.0.1, port: 0}\n",
                        "    master_only: {host: 127.0.0.1, port: 0}" + CONSOLES)
    path = tmp_path / "testbed.yaml"
    path.write_text(text)
    return path


def serve(*args: str) -> Serve:
    exe = os.path.join(os.path.dirname(sys.executable), "re-emulator")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "emulator"]
    proc = subprocess.Popen([*cmd, "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("# NETCONF:"):
            return Serve(proc, lines)
    proc.kill()
    pytest.fail(f"no banner: {lines} {proc.stderr.read() if proc.stderr else ''}")


def shell_lines(host: str, port: int, lines: list[str]) -> str:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, port=port, username="lab", password="lab123", look_for_keys=False,
                   allow_agent=False)
    try:
        chan = client.invoke_shell()
        chan.settimeout(10)
        chan.send("".join(line + "\n" for line in lines) + "exit\n")
        out = b""
        while data := chan.recv(65536):
            out += data
        return out.decode().replace("\r\n", "\n")
    finally:
        client.close()


def test_banner_lists_endpoints_first_then_hash_lines(tmp_path: Path) -> None:
    srv = serve("--testbed", str(make_testbed_with_consoles(tmp_path)), "--time", "virtual")
    try:
        plain = [line for line in srv.lines if not line.startswith("#")]
        assert srv.lines[: len(plain)] == plain  # machine-readable lines come first
        assert {line.split()[1] for line in plain} >= {"re0", "re1", "master", "control"}
        hashes = srv.lines[len(plain):]
        assert "# time: virtual" in hashes
        assert any(line.startswith("# r1 console re0 127.0.0.1:") for line in hashes)
        assert "# r1 user lab / lab123" in hashes
        assert any(line.startswith("# CLI:     ssh -p ") for line in hashes)
    finally:
        srv.stop()


def test_state_dir_keeps_configuration_and_logs(tmp_path: Path) -> None:
    state = tmp_path / "state"
    srv = serve("--time", "virtual", "--state-dir", str(state))
    try:
        out = shell_lines(*srv.endpoint("re0"), [
            "configure", "set system location building lab-7", "commit synchronize", "exit",
            "show log mastership | count"])
        assert "re0: commit complete" in out
    finally:
        srv.stop()
    saved = json.loads((state / "r1" / "state.json").read_text())
    assert "building lab-7;" in saved["res"]["re1"]["config"]
    first_run = [text for _, text in saved["res"]["re1"]["log"]]
    srv = serve("--time", "virtual", "--state-dir", str(state))
    try:
        out = shell_lines(*srv.endpoint("re1"), ["show configuration | match building",
                                                 "show log mastership"])
        assert "building lab-7;" in out
        # The log holds the lines of the first run, then those of this start.
        log_lines = re.findall(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (.*)$", out, re.MULTILINE)
        assert log_lines[: len(first_run)] == first_run
        assert len(log_lines) > len(first_run)
    finally:
        srv.stop()


def test_corrupt_state_is_reported(tmp_path: Path) -> None:
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "state.json").write_text("{not json")
    exe = [sys.executable, "-m", "emulator", "serve", "--state-dir", str(tmp_path)]
    done = subprocess.run(exe, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "state.json" in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_defaults_to_packaged_testbed_and_exits_cleanly(sig: signal.Signals) -> None:
    """Issue 2: with no --testbed it serves the packaged default, prints one line per endpoint
    as ``<router> <re> <host>:<port>``, and a signal stops it with status 0."""
    served = serve()
    endpoints = [line for line in served.lines if not line.startswith("#")]
    assert {line.split()[1] for line in endpoints} >= {"re0", "re1", "master"}
    assert all(re.fullmatch(r"r1 \S+ 127\.0\.0\.1:\d+", line) for line in endpoints)
    served.proc.send_signal(sig)
    assert served.proc.wait(timeout=20) == 0
