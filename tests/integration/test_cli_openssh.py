"""The interactive CLI through OpenSSH's ``ssh`` under a pseudo-terminal (``pty.fork``), as a
person types it: the password prompt answered through the terminal, keys sent raw (a pty sends
``\\r`` for Enter), TAB completion and ``?`` help echoed by the router."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Iterator

import pytest

from tests.integration.conftest import Served
from tests.shared import require_tool

SSH = require_tool("ssh", "openssh-client")


class PtySsh:
    """``ssh -p PORT lab@127.0.0.1`` running on a pseudo-terminal."""

    def __init__(self, host: str, port: int, rows: int = 200) -> None:
        assert SSH is not None
        argv = [SSH, "-F", "/dev/null", "-tt", "-p", str(port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
                "-o", "PreferredAuthentications=password", "-o", "LogLevel=ERROR",
                f"lab@{host}"]
        pid, fd = pty.fork()
        if pid == 0:  # the child: a terminal of ``rows`` lines, then become ssh
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
            os.execv(argv[0], argv)
        self.pid, self.fd = pid, fd
        self.buf = ""
        self.expect(re.compile(r"password: ?$"))
        self.send("lab123\r")
        self.greeting = self.expect(re.compile(r"lab@r1> $"))

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def expect(self, pattern: re.Pattern[str], timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while not pattern.search(self.buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern.pattern!r} in {self.buf!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    data = b""
                if not data:
                    raise EOFError(self.buf)
                self.buf += data.decode(errors="replace").replace("\r\n", "\n")
        out, self.buf = self.buf, ""
        return out

    def run(self, line: str) -> str:
        self.send(line + "\r")
        out = self.expect(re.compile(r"(lab@[\w.-]+[>#] |\(no\) )$"))
        assert out.startswith(line + "\n"), out
        return out[len(line) + 1:]

    def wait_exit(self, timeout: float = 15) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return 0
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                select.select([self.fd], [], [], 0.1)
                os.read(self.fd, 65536)
            except OSError:
                pass
        raise AssertionError("ssh did not exit")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


@pytest.fixture
def ssh(served: Served) -> Iterator[PtySsh]:
    term = PtySsh(*served.endpoints["re0"])
    yield term
    term.close()


def test_prompt_and_command(ssh: PtySsh) -> None:
    assert "--- JUNOS " in ssh.greeting
    out = ssh.run("show chassis routing-engine")
    assert re.search(r"Current state\s+Master", out)


def test_tab_and_help_under_a_terminal(ssh: PtySsh) -> None:
    ssh.send("sh\t")
    assert ssh.expect(re.compile(r"show $")) == "show "
    ssh.send("chassis ?")
    out = ssh.expect(re.compile(r"lab@r1> show chassis $"))
    assert re.search(r"routing-engine +Show Routing Engine status", out)
    ssh.send("rout\t\r")
    out = ssh.expect(re.compile(r"lab@r1> $"))
    assert "Routing Engine status:" in out


def test_syntax_error_caret(ssh: PtySsh) -> None:
    out = ssh.run("show chasis")
    assert out.splitlines()[:2] == [" " * len("lab@r1> show ") + "^",
                                    "syntax error, expecting <command>."]


def test_procedure_configure_commit_switch_halt_backup(ssh: PtySsh) -> None:
    """Roles + commit synchronize, then halt the backup from a login to it (chapter: "Use the
    Proper Shutdown Process on a Backup Routing Engine")."""
    ssh.run("configure")
    ssh.run("set system commit synchronize")
    assert "re0: commit complete" in ssh.run("commit synchronize")
    ssh.run("exit")
    out = ssh.run("request routing-engine login other-routing-engine")
    assert out.endswith("lab@r1> ")
    out = ssh.run("request system halt")
    assert out.endswith("Halt the system ? [yes,no] (no) ")
    ssh.send("yes\r")
    out = ssh.expect(re.compile(r"rlogin: connection closed\n\nlab@r1> $"))
    assert "Shutdown NOW!" in out
    out = ssh.run("show chassis routing-engine")
    # The halted RE is no longer the backup.
    assert not re.search(r"Current state\s+Backup", out.split("Slot 1:")[1])


def test_exit_ends_ssh(ssh: PtySsh) -> None:
    ssh.send("exit\r")
    assert ssh.wait_exit() == 0


# ------------------------------------------------------------------ a CLI to live in
PROMPT = re.compile(r"lab@r1[>#] $")
MORE = re.compile(r"---\(more \d+%\)---$")


def test_history_with_the_arrow_keys(ssh: PtySsh) -> None:
    ssh.run("show version | match Hostname")
    ssh.run("show chassis routing-engine 1 | match Slot")
    ssh.send("\x1b[A\x1b[A\r")  # up twice: the first line again
    assert ssh.expect(PROMPT).endswith("Hostname: r1\n\nlab@r1> ")
    ssh.send("\x1b[A\x1b[A\x1b[A\x1b[B\r")  # three up, one down: the "Slot" line
    assert "Slot 1:" in ssh.expect(PROMPT)


def test_paging_under_a_small_terminal(served: Served) -> None:
    term = PtySsh(*served.endpoints["re0"], rows=10)
    try:
        term.send("show chassis routing-engine\r")
        assert term.expect(MORE).count("\n") == 10  # the echoed line and 9 lines
        term.send(" ")
        term.expect(MORE)
        term.send("q")
        assert term.expect(PROMPT).endswith("\nlab@r1> ")
        assert "---(more" not in term.run("show chassis routing-engine | no-more")
    finally:
        term.close()


def test_load_terminal_display_set_hierarchy_and_clear_log(ssh: PtySsh) -> None:
    ssh.run("configure")
    ssh.send("load set terminal\r")
    ssh.expect(re.compile(r"end input\]\n$"))
    ssh.send("set system domain-name lab.example.net\rset system frob 1\r\x04")
    out = ssh.expect(PROMPT)
    assert "terminal:2:(11) syntax error: frob\nload complete\n" in out
    assert ssh.run("show system | display set").count("set system domain-name "
                                                      "lab.example.net") == 1
    assert "commit complete" in ssh.run("commit and-quit")
    assert ssh.run("show configuration system domain-name").startswith(
        "domain-name lab.example.net;\n")
    ssh.run("clear log mastership")
    assert re.match(r"\w{3} \d\d \d\d:\d\d:\d\d clear-log\[\d+\]: logfile cleared\n",
                    ssh.run("show log mastership"))
