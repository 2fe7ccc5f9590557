"""Every pipe, over NETCONF ``<command>`` and over the interactive CLI (a paramiko shell), on
one served router: both faces go through the one pipe engine and agree as Junos's do.

Junos's split (``emulator/commands/pipes.py``, docs/emulator-model.md "Pipes"): the management
daemon applies the display pipes to a ``<command>`` answer; the text filters are the CLI's own,
so NETCONF returns the unfiltered text (``| match`` echoed in ``<pipe>``) and the CLI shows
that text through the filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from lxml import etree
from ncclient import manager
from ncclient.operations import RaiseMode

from emulator.commands.pipes import apply_text, parse_line_pipes
from harness.session import ConnectParams, open_manager
from tests.integration.conftest import Served
from tests.integration.test_cli_paramiko import Shell

#: The text filters, alone and chained.
FILTERS = ["match Model", "except Model", "find JUNOS", "last 2", "count", "no-more",
           "match o | count", "except Model | last 1", "match NOSUCHWORD"]
COMMANDS = ["show version", "show configuration", "file list /var/tmp/"]
#: The CLI's prompt line after a command's output (the shell's PROMPT, as a whole line).
TRAILER = re.compile(r"\n*(\{\w+\}\n)?lab@[\w.-]+> $")


@contextmanager
def _netconf(served: Served) -> Iterator[manager.Manager]:
    host, port = served.endpoints["re0"]
    m = open_manager(ConnectParams(host, port, "lab", "lab123", rpc_timeout=10))
    m.raise_mode = RaiseMode.NONE
    try:
        yield m
    finally:
        m.close_session()


def _command(m: manager.Manager, line: str, fmt: str) -> list[etree._Element]:
    """Return the children of the reply to ``<command format=fmt>line</command>``."""
    el = etree.Element("command", format=fmt)
    el.text = line
    reply = etree.fromstring(m.rpc(el).tostring)
    return [c for c in reply if isinstance(c.tag, str)]


def _text(children: list[etree._Element]) -> str:
    """Return the text answer (``<output>`` or ``configuration-output``)."""
    found = [c for c in children if etree.QName(c).localname != "pipe"]
    assert len(found) == 1, [etree.tostring(c) for c in children]
    el = found[0]
    while len(el):  # configuration-information/configuration-output
        el = el[0]
    return el.text or ""


def _cli(shell: Shell, line: str) -> str:
    return TRAILER.sub("", shell.run(line))


def _canonical(children: list[etree._Element]) -> list[bytes]:
    """Children as canonical XML without layout whitespace (the CLI indents) and without
    namespaces (ncclient's Junos handler strips them from replies)."""
    out = []
    for child in children:
        copy = etree.fromstring(etree.tostring(child))
        for el in copy.iter():
            el.tag = etree.QName(el).localname
            for key in list(el.attrib):
                el.attrib[etree.QName(key).localname] = el.attrib.pop(key)
            if el.text is not None and not el.text.strip():
                el.text = None
            el.tail = None
        etree.cleanup_namespaces(copy)
        out.append(etree.tostring(copy, method="c14n"))
    return out


def _printed(cli_text: str) -> list[etree._Element]:
    """The children of the ``<rpc-reply>`` the CLI printed."""
    root = etree.fromstring(cli_text.strip().encode())
    assert etree.QName(root).localname == "rpc-reply", cli_text
    return [c for c in root if isinstance(c.tag, str)]


@pytest.fixture
def faces(served: Served) -> Iterator[tuple[manager.Manager, Shell]]:
    shell = Shell(*served.endpoints["re0"])
    with _netconf(served) as m:
        yield m, shell
    shell.close()


@pytest.mark.parametrize("command", COMMANDS)
def test_text_filters_are_the_clis_over_the_unfiltered_netconf_text(
        faces: tuple[manager.Manager, Shell], command: str) -> None:
    m, shell = faces
    bare = _text(_command(m, command, "text"))
    assert bare.strip() and _cli(shell, command).strip("\n") == bare.strip("\n")
    for pipe in FILTERS:
        line = f"{command} | {pipe}"
        children = _command(m, line, "text")
        assert _text(children) == bare, line  # Junos's mgd leaves the filters to the CLI
        echoed = [c for c in children if etree.QName(c).localname == "pipe"]
        assert bool(echoed) == ("match" in pipe), line
        _, pipes = parse_line_pipes(line)
        assert _cli(shell, line).strip("\n") == apply_text(bare, pipes).strip("\n"), line


def test_filters_filter_on_the_cli(faces: tuple[manager.Manager, Shell]) -> None:
    m, shell = faces
    bare = _text(_command(m, "show version", "text")).strip("\n").split("\n")
    assert _cli(shell, "show version | match Model") == next(x for x in bare if "Model" in x)
    assert _cli(shell, "show version | except Model").split("\n") == [
        x for x in bare if "Model" not in x]
    assert _cli(shell, "show version | count") == f"Count: {len(bare)} lines"
    assert _cli(shell, "show version | last 1") == bare[-1]
    echoed = _command(m, "show version | match Model", "text")[0]
    assert _canonical([echoed]) == [b"<pipe><more-match-string>Model</more-match-string></pipe>"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("fmt", ["xml", "text"])
def test_display_xml_is_the_xml_reply(faces: tuple[manager.Manager, Shell], command: str,
                                      fmt: str) -> None:
    m, shell = faces
    netconf = _command(m, f"{command} | display xml", fmt)
    assert _canonical(netconf) == _canonical(_command(m, command, "xml"))
    printed = _printed(_cli(shell, f"{command} | display xml"))
    assert etree.QName(printed[-1]).localname == "cli"  # the CLI adds its banner
    assert _canonical(printed[:-1]) == _canonical(netconf)


@pytest.mark.parametrize("command", COMMANDS)
def test_display_xml_rpc_is_built_once(faces: tuple[manager.Manager, Shell],
                                       command: str) -> None:
    m, shell = faces
    netconf = _command(m, f"{command}| display xml rpc", "xml")  # PyEZ: no space before |
    assert [etree.QName(c).localname for c in netconf] == ["rpc", "cli"]
    assert _canonical(_printed(_cli(shell, f"{command} | display xml rpc"))) == \
        _canonical(netconf)
    filtered = _cli(shell, f"{command} | display xml rpc | match rpc")
    assert filtered.split("\n") == [x for x in _cli(shell, f"{command} | display xml rpc")
                                    .split("\n") if "rpc" in x]


@pytest.mark.parametrize("fmt", ["xml", "text"])
def test_display_set(faces: tuple[manager.Manager, Shell], fmt: str) -> None:
    m, shell = faces
    children = _command(m, "show configuration | display set", fmt)
    assert [etree.QName(c).localname for c in children] == ["configuration-information"]
    text = _text(children)
    assert text.startswith("set ") and "\nset system host-name " in "\n" + text
    assert _cli(shell, "show configuration | display set").strip("\n") == text.strip("\n")
    assert _cli(shell, "show configuration | display set | match host-name") == next(
        x for x in text.split("\n") if "host-name" in x)


@pytest.mark.parametrize("line", ["show version | frobnicate", "show version | match",
                                  "show version | last x"])
def test_what_the_cli_refuses_netconf_refuses(faces: tuple[manager.Manager, Shell],
                                              line: str) -> None:
    m, shell = faces
    printed = _cli(shell, line).split("\n")
    assert printed[0].strip() == "^"
    reply = etree.fromstring(m.rpc(_element(line)).tostring)
    messages = reply.xpath("//*[local-name()='error-message']/text()")
    assert [x.strip() for x in messages] == [printed[1]]


def _element(line: str) -> etree._Element:
    el = etree.Element("command", format="text")
    el.text = line
    return el
