"""The interactive CLI through a real SSH client: paramiko ``invoke_shell()`` against the
in-process emulator on loopback, through the chapter's procedures end to end."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import paramiko
import pytest
from ncclient import manager

from tests.integration.conftest import Served

PROMPT = re.compile(r"(lab@[\w.-]+[>#] |\(no\) |\(yes\) )$")


class Shell:
    """An interactive SSH shell; :meth:`run` sends a line and returns the output up to the
    next prompt (or ``[yes,no]`` question)."""

    def __init__(self, host: str, port: int, height: int = 200) -> None:
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect(host, port=port, username="lab", password="lab123",
                            look_for_keys=False, allow_agent=False)
        self.chan = self.client.invoke_shell(term="vt100", height=height)
        self.chan.settimeout(10)
        self.greeting = self.until(PROMPT)

    def until(self, pattern: re.Pattern[str], timeout: float = 10) -> str:
        buf = ""
        deadline = time.monotonic() + timeout
        while not pattern.search(buf):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern.pattern!r} in {buf!r}")
            data = self.chan.recv(65536)
            if not data:
                raise EOFError(buf)
            buf += data.decode().replace("\r\n", "\n")
        return buf

    def run(self, line: str, eol: str = "\n") -> str:
        self.chan.send(line + eol)
        out = self.until(PROMPT)
        assert out.startswith(line + "\n"), out
        return out[len(line) + 1:]

    def closed_after(self, line: str) -> str:
        """Send ``line`` and read until the server closes the channel; return the output."""
        self.chan.send(line + "\n")
        buf = b""
        while True:
            data = self.chan.recv(65536)
            if not data:
                return buf.decode().replace("\r\n", "\n")
            buf += data

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def shell(served: Served) -> Iterator[Shell]:
    sh = Shell(*served.endpoints["re0"])
    yield sh
    sh.close()


def advance(served: Served, seconds: int) -> None:
    host, port = served.endpoints["control"]
    with manager.connect(host=host, port=port, username="re-control", password="re-control",
                         hostkey_verify=False, device_params={"name": "junos"}) as m:
        m.rpc(f'<advance-clock xmlns="urn:re-emulator:control:1"><seconds>{seconds}</seconds>'
              "</advance-clock>")


def test_which_re_am_i_on(shell: Shell) -> None:
    assert shell.greeting.startswith("--- JUNOS ")
    out = shell.run("sh chas rout")
    assert re.search(r"Slot 0:\n\s+Current state\s+Master", out)
    out = shell.run("show chassis hardware | match Routing")
    assert "Routing Engine 0" in out


def test_backup_refuses_show_chassis_hardware(served: Served) -> None:
    sh = Shell(*served.endpoints["re1"])
    try:
        out = sh.run("show chassis hardware")
        assert out.startswith(
            "error: Aborted! This command can only be used on the master routing engine.")
    finally:
        sh.close()


def test_configure_gres_switch_login_and_back(served: Served, shell: Shell) -> None:
    """Configure roles + graceful-switchover with commit synchronize, switch with the prompt,
    log in to the other RE and come back (chapter procedures)."""
    assert shell.run("configure").startswith("Entering configuration mode")
    for line in ("delete system host-name",
                 "set groups re0 system host-name r1-re0",
                 "set groups re1 system host-name r1-re1",
                 "set apply-groups [ re0 re1 ]",
                 "set chassis redundancy routing-engine 0 master",
                 "set chassis redundancy routing-engine 1 backup",
                 "set chassis redundancy graceful-switchover"):
        shell.run(line)
    out = shell.run("commit synchronize")
    assert out.startswith("re1: configuration check succeeds\nre0: configuration check "
                          "succeeds\nre1: commit complete\nre0: commit complete\n")
    assert out.endswith("{master}[edit]\nlab@r1-re0# ")
    assert shell.run("exit").endswith("{master}\nlab@r1-re0> ")
    advance(served, 300)  # past the hold-down after boot
    out = shell.run("request chassis routing-engine master switch")
    assert out == "Toggle mastership between routing engines ? [yes,no] (no) "
    shell.chan.send("yes\n")
    assert shell.until(re.compile(r"Resolving mastership\.\.\.\n$")) == (
        "yes\n\nResolving mastership...\n")
    advance(served, 2)  # the MX480's resolution time with graceful switchover
    # As the 12.3 transcript: "Complete." once resolved, and the next prompt shows the new role.
    assert shell.until(PROMPT) == ("Complete. The other routing engine becomes the master.\n"
                                   "\n{backup}\nlab@r1-re0> ")
    out = shell.run("request routing-engine login other-routing-engine")
    assert out.endswith("{master}\nlab@r1-re1> ")
    assert shell.run("exit") == "\nrlogin: connection closed\n\n{backup}\nlab@r1-re0> "
    assert "event = E_CMD_S" in shell.run("show log mastership")


def test_file_copy_then_list_on_other_re(shell: Shell) -> None:
    shell.run("file copy /var/tmp/jinstall-6.0R3.3-domestic-signed.tgz re1:/var/tmp/")
    shell.run("request routing-engine login other-routing-engine")
    out = shell.run("file list /var/tmp/")
    assert "jinstall-6.0R3.3-domestic-signed.tgz" in out.splitlines()


def test_halt_the_backup_ends_its_session(served: Served) -> None:
    sh = Shell(*served.endpoints["re1"])
    try:
        out = sh.run("request system halt")
        assert out.startswith("warning: This command will not halt the other routing-engine.")
        out = sh.closed_after("yes")
        assert "Shutdown NOW!" in out
    finally:
        sh.close()
    with pytest.raises((paramiko.SSHException, OSError, EOFError)):
        Shell(*served.endpoints["re1"])  # a halted RE answers nothing


def test_crlf_and_cr_line_ends(shell: Shell) -> None:
    assert shell.run("show version", eol="\r\n").count("lab@r1> ") == 1
    assert shell.run("show version", eol="\r").count("lab@r1> ") == 1


def test_exit_closes_the_channel(shell: Shell) -> None:
    shell.closed_after("exit")
    assert shell.chan.recv_exit_status() == 0


# ------------------------------------------------------------------ a CLI to live in
MORE = re.compile(r"---\(more \d+%\)---$")


def test_history_recalls_the_previous_lines(shell: Shell) -> None:
    shell.run("show version | match Hostname")
    shell.run("show chassis routing-engine 0 | match Slot")
    shell.chan.send("\x1b[A\x1b[A\n")  # up twice: the first line again
    out = shell.until(PROMPT)
    assert out.endswith("Hostname: r1\n\nlab@r1> ")
    # History is now: Hostname, Slot, Hostname.  Ctrl-P three times, Ctrl-N once: "Slot".
    shell.chan.send("\x10\x10\x10\x0e\n")
    assert "Slot 0:" in shell.until(PROMPT)


def test_paging_on_the_terminals_height(served: Served) -> None:
    sh = Shell(*served.endpoints["re0"], height=12)
    try:
        sh.chan.send("show chassis routing-engine\n")
        first = sh.until(MORE)
        # The echoed line, a screen less one line (11), then the more prompt.
        assert len(first.split("\n")) == 13
        sh.chan.send(" ")
        # (The MX layout: the master's 1/5/15-minute CPU blocks make the output 60 lines.)
        assert sh.until(MORE).endswith("5 min CPU utilization:\n"
                                       "      User                       0 percent\n"
                                       "---(more 33%)---")
        sh.chan.send("\r")  # Enter: one more line
        assert sh.until(MORE).endswith("\r      Background                 0 percent\n"
                                       "---(more 34%)---")
        sh.chan.send("q")
        assert sh.until(PROMPT).endswith("\nlab@r1> ")
        assert "---(more" not in sh.run("show chassis routing-engine | no-more")
        assert sh.run("set cli screen-length 0").startswith("Screen length set to 0")
        assert "---(more" not in sh.run("show chassis routing-engine")
    finally:
        sh.close()


def test_load_terminal_display_set_and_show_configuration(shell: Shell) -> None:
    shell.run("configure")
    shell.chan.send("load merge terminal\n")
    assert shell.until(re.compile(r"end input\]\n$")).endswith(
        "[Type ^D at a new line to end input]\n")
    shell.chan.send("chassis {\n    redundancy {\n        keepalive-time 25;\n"
                    "        graceful-switchower;\n    }\n}\n\x04")
    out = shell.until(PROMPT)
    assert "terminal:4:(27) syntax error: graceful-switchower\n" in out
    assert "load complete (1 errors)\n" in out
    assert shell.run("show chassis | display set").startswith(
        "set chassis redundancy keepalive-time 25\n")
    shell.run("commit and-quit")
    assert shell.run("show configuration chassis redundancy").startswith(
        "keepalive-time 25;\n")
    assert shell.run("show configuration chassis | display set").startswith(
        "set chassis redundancy keepalive-time 25\n")


def test_clear_log_mastership(shell: Shell) -> None:
    shell.run("clear log mastership")
    out = shell.run("show log mastership")
    assert re.match(r"Jan 12 \d\d:\d\d:\d\d clear-log\[\d+\]: logfile cleared\n\nlab@r1> $",
                    out), out


def test_set_refusals_show_the_caret(shell: Shell) -> None:
    shell.run("configure")
    out = shell.run("set chassis redundancy graceful-switchower")
    assert out.startswith(" " * len("lab@r1# set chassis redundancy ") + "^\nsyntax error.\n")
