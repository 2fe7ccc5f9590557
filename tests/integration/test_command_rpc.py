"""Every operational command agrees with itself over NETCONF (DESIGN.md "defined once").

For each row of the command table, on a freshly reset router:
- ``<command>WORDS | display xml rpc</command>`` names the RPC the row stands for;
- ``<command>WORDS</command>`` returns the same reply as that RPC;
- ``<command format="text">WORDS</command>`` returns the text the CLI prints for the row (the
  same as the RPC with ``format="text"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import pytest
from lxml import etree
from ncclient import manager
from ncclient.operations import OperationError, RaiseMode, TimeoutExpiredError
from ncclient.transport import TransportError

from emulator.commands.operational import TABLE
from emulator.commands.table import CommandContext
from emulator.model.errors import ModelError
from emulator.model.router import RouterModel
from harness.session import ConnectParams, open_manager
from tests.integration.conftest import Served

T = TypeVar("T")

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


@dataclass(frozen=True)
class Case:
    """A command line, the RPC it stands for, where to run it, and what to do first."""

    cli: str
    rpc: str
    re: str = "re0"
    #: An RPC run on ``setup_re`` after the reset, to reach the state the command needs.
    setup: str | None = None
    setup_re: str = "re1"


CASES = [
    Case("show chassis routing-engine", "<get-route-engine-information/>"),
    Case("show chassis routing-engine 1",
         "<get-route-engine-information><slot>1</slot></get-route-engine-information>", "re1"),
    Case("show chassis hardware", "<get-chassis-inventory/>"),
    Case("show chassis hardware", "<get-chassis-inventory/>", "re1"),
    Case("show chassis craft-interface", "<get-craft-information/>"),
    Case("show chassis fpc", "<get-fpc-information/>"),
    Case("show chassis fpc pic-status", "<get-pic-information/>"),
    Case("show chassis fpc pic-status 1",
         "<get-pic-information><slot>1</slot></get-pic-information>", "re1"),
    Case("show chassis alarms", "<get-alarm-information/>"),
    Case("show chassis alarms", "<get-alarm-information/>", setup="<request-halt/>"),
    Case("show system alarms", "<get-system-alarm-information/>", "re1"),
    Case("show system alarms", "<get-system-alarm-information/>", setup="<request-halt/>"),
    Case("show version", "<get-software-information/>", "re1"),
    Case("show version invoke-on all-routing-engines",
         "<get-software-information><invoke-on>all-routing-engines</invoke-on>"
         "</get-software-information>"),
    Case("show system switchover", "<get-switchover-information/>", "re1"),
    Case("show task replication", "<get-routing-task-replication-state/>"),
    Case("show route", "<get-route-information/>"),
    Case("show route", "<get-route-information/>", "re1"),
    Case("show log mastership", "<get-log><filename>mastership</filename></get-log>", "re1"),
    Case("clear log mastership", "<clear-log><filename>mastership</filename></clear-log>"),
    Case("request chassis routing-engine master acquire no-confirm",
         "<request-chassis-routing-engine-acquire><no-confirm/>"
         "</request-chassis-routing-engine-acquire>", "re1"),
    Case("request chassis routing-engine master release no-confirm",
         "<request-chassis-routing-engine-release><no-confirm/>"
         "</request-chassis-routing-engine-release>"),
    Case("request chassis routing-engine master switch no-confirm",
         "<request-chassis-routing-engine-switch><no-confirm/>"
         "</request-chassis-routing-engine-switch>"),
    Case("request system halt", "<request-halt/>", "re1"),
    Case("request system reboot other-routing-engine in 0",
         "<request-reboot><other-routing-engine/><in>0</in></request-reboot>"),
    Case("request system power-on other-routing-engine",
         "<request-power-on><other-routing-engine/></request-power-on>",
         setup="<request-halt/>"),
    Case("file list /var/tmp/", "<file-list><path>/var/tmp/</path></file-list>"),
    Case("file show /etc/hosts.junos",
         "<file-show><filename>/etc/hosts.junos</filename></file-show>", "re1"),
    Case("file copy /var/tmp/sampled.pkts re1:/var/tmp/",
         "<file-copy><source>/var/tmp/sampled.pkts</source>"
         "<destination>re1:/var/tmp/</destination></file-copy>"),
    Case("show configuration", "<get-configuration/>"),
    Case("show interfaces terse routing-instance __juniper_private1__",
         "<get-interface-information><terse/><routing-instance>__juniper_private1__"
         "</routing-instance></get-interface-information>", "re1"),
    Case("show interfaces terse", "<get-interface-information><terse/>"
         "</get-interface-information>"),
    Case("show chassis cluster status", "<get-chassis-cluster-status/>"),
    Case("show virtual-chassis", "<get-virtual-chassis-information/>"),
    Case("show ethernet-switching table summary",
         "<get-ethernet-switching-table-information><summary/>"
         "</get-ethernet-switching-table-information>", "re1"),
    Case("show bridge mac-table count",
         "<get-bridge-mac-table><count/></get-bridge-mac-table>"),
    Case("show bridge mac-table count",
         "<get-bridge-mac-table><count/></get-bridge-mac-table>", "re1"),
    Case("show chassis environment", "<get-environment-information/>"),
    Case("show chassis environment", "<get-environment-information/>", "re1"),
    Case("show chassis temperature-thresholds", "<get-temperature-threshold-information/>"),
    Case("show chassis power detail",
         "<get-power-usage-information-detail><detail/></get-power-usage-information-detail>"),
    Case("show system uptime", "<get-system-uptime-information/>", "re1"),
    Case("show system memory", "<get-system-memory-information/>"),
    Case("show system storage", "<get-system-storage/>", "re1"),
    Case("show system directory-usage /var/tmp depth 1",
         "<get-directory-usage-information><path>/var/tmp</path><depth>1</depth>"
         "</get-directory-usage-information>"),
    Case("show system commit revision detail",
         "<get-commit-revision-information><detail/></get-commit-revision-information>"),
    Case("show cli directory", "<get-cli-working-directory/>", "re1"),
    Case("show log messages", "<get-log><filename>messages</filename></get-log>"),
    Case("file list /var/tmp detail",
         "<file-list><path>/var/tmp</path><detail/></file-list>", "re1"),
    Case("file list /var/tmp/nothing-here",
         "<file-list><path>/var/tmp/nothing-here</path></file-list>"),
    Case('request shell execute command "sysctl -n hw.re.vmhost_mode"',
         "<request-shell-execute><command>sysctl -n hw.re.vmhost_mode</command>"
         "</request-shell-execute>"),
    Case('request shell execute routing-engine backup command "cli show system switchover"',
         "<request-shell-execute><routing-engine>backup</routing-engine>"
         "<command>cli show system switchover</command></request-shell-execute>"),
]


@contextmanager
def _connect(served: Served, re: str, user: str = "lab", password: str = "lab123"
             ) -> Iterator[manager.Manager]:
    """A session whose end tolerates the RE having gone down (halt, reboot, switch)."""
    host, port = served.endpoints[re]
    # The harness's ncclient session (Junos handler, no 100 ms tick): many short sessions.
    m = open_manager(ConnectParams(host, port, user, password, rpc_timeout=10))
    m.raise_mode = RaiseMode.NONE  # compare rpc-errors as data
    try:
        yield m
    finally:
        _close_quietly(m)


def _close_quietly(m: manager.Manager) -> None:
    """Send <close-session/> unless the emulated RE already dropped the session."""
    m.timeout = 1
    if not m.connected:
        return
    try:
        m.close_session()
    except (TransportError, OperationError, TimeoutExpiredError):
        pass  # the RE went down while we said goodbye: as on a real router


def _on_r1(served: Served, fn: Callable[[RouterModel], T]) -> T:
    """Return ``fn(model)`` run on router r1 between two requests (on the server's loop)."""
    assert served.server is not None
    return served.server.call("r1", fn)


def _reset(served: Served, case: Case) -> None:
    """Reset the router and run the case's setup, in process (one ssh login less per step;
    the reset-router control RPC has its own tests)."""

    def reset(model: RouterModel) -> None:
        model.reset()
        if case.setup is not None:
            setup = etree.fromstring(case.setup)
            cmd = TABLE.by_rpc(etree.QName(setup).localname)
            assert cmd is not None
            cmd.handler(CommandContext(model, int(case.setup_re[2:]), "lab"),
                        TABLE.rpc_args(setup))

    _on_r1(served, reset)


@contextmanager
def _fresh(served: Served, case: Case) -> Iterator[manager.Manager]:
    """Reset the router, run the case's setup, yield a session on the case's RE."""
    _reset(served, case)
    with _connect(served, case.re) as m:
        yield m


def _reply(m: manager.Manager, op: etree._Element) -> bytes:
    """Return the reply, canonical XML without its message-id."""
    root = etree.fromstring(m.rpc(op).tostring)
    root.attrib.pop("message-id", None)
    return etree.tostring(root, method="c14n")


def _command(line: str, fmt: str | None = None) -> etree._Element:
    el = etree.Element("command")
    el.text = line
    if fmt:
        el.set("format", fmt)
    return el


def _shape(el: etree._Element) -> tuple[str, list[tuple[str, str]]]:
    """An RPC element as (name, sorted (argument, value)) pairs."""
    args = sorted((etree.QName(c).localname, (c.text or "").strip()) for c in el)
    return etree.QName(el).localname, args


def _text_of(reply: bytes) -> str:
    """The text of an ``<output>`` (or configuration-output) reply, or the rpc-error message."""
    root = etree.fromstring(reply)
    found = root.xpath("//*[local-name()='output' or local-name()='configuration-output'"
                       " or local-name()='configuration-text' or local-name()='error-message']")
    assert found, reply
    return "".join(found[0].itertext())


def _cli_text(served: Served, case: Case) -> str:
    """What the CLI prints for the case: the table row's text, warnings and errors first."""
    _reset(served, case)
    cmd, args = TABLE.parse_cli(case.cli)
    try:
        result = _on_r1(served, lambda model: cmd.handler(
            CommandContext(model, int(case.re[2:]), "lab"), args))
    except ModelError as exc:
        return str(exc)
    head = [f"warning: {w}" for w in result.warnings] + [f"error: {e}" for e in result.errors]
    return "\n".join([*head, result.text])


def test_every_table_row_has_a_case() -> None:
    covered = {TABLE.parse_cli(case.cli)[0].cli for case in CASES}
    assert covered == {cmd.cli for cmd in TABLE.commands}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.re}:{c.cli}")
def test_display_xml_rpc_names_the_rpc(served: Served, case: Case) -> None:
    with _connect(served, case.re) as m:
        reply = etree.fromstring(_reply(m, _command(f"{case.cli} | display xml rpc")))
    shown = reply.xpath("//*[local-name()='rpc']/*")
    assert len(shown) == 1, etree.tostring(reply)
    assert _shape(shown[0]) == _shape(etree.fromstring(case.rpc))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.re}:{c.cli}")
def test_command_xml_equals_rpc_reply(served: Served, case: Case) -> None:
    with _fresh(served, case) as m:
        by_rpc = _reply(m, etree.fromstring(case.rpc))
    with _fresh(served, case) as m:
        by_command = _reply(m, _command(case.cli))
    assert by_command == by_rpc


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.re}:{c.cli}")
def test_command_text_is_the_cli_text(served: Served, case: Case) -> None:
    with _fresh(served, case) as m:
        by_command = _text_of(_reply(m, _command(case.cli, "text")))
    text_rpc = etree.fromstring(case.rpc)
    text_rpc.set("format", "text")
    with _fresh(served, case) as m:
        by_rpc = _text_of(_reply(m, text_rpc))
    # get-configuration format="text" (config_rpcs) leaves out the "## Last commit" header.
    assert _no_commit_header(by_command) == _no_commit_header(by_rpc)
    assert by_command.strip("\n") == _cli_text(served, case).strip("\n")


def _no_commit_header(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith("## Last commit"))
