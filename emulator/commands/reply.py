"""How a row's :class:`~emulator.commands.context.Result` becomes a reply: the one renderer.

- :func:`message_lines` / :func:`result_text`: warnings and errors as text (``warning: ...``,
  ``error: ...`` before the command's text), for the CLI and for every text reply alike;
- :func:`rpc_reply`: the reply to an XML RPC (XML, or text in the row's text shape when the RPC
  asks ``format="text"``);
- :func:`command_answer`: the reply to NETCONF ``<command>``, the display pipes applied as the
  management daemon applies them (``emulator.commands.pipes``); the CLI prints the same answer;
- :func:`as_json` / :func:`json_reply`: ``format="json"`` and ``| display json``, the JSON
  written from the same XML (``emulator.commands.junos_json``); it is the text of
  ``<rpc-reply>`` itself, as PyEZ (``json.loads(rpc_reply.text)``) and Junos have it.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from lxml import etree

from emulator.commands.context import Request, Result
from emulator.commands.junos_json import config_json, operational_json
from emulator.commands.pipes import Pipe, PipeKind, apply_text, directive
from emulator.commands.table import Command, Table, WarningForm
from emulator.commands.xmlutil import XNM_NS, xnm_message
from emulator.model import config as cfg
from emulator.model.config_errors import CommitCheckError, ConfigError
from emulator.model.errors import ModelError, NotReadyError
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState
from emulator.netconf.errors import RpcError

__all__ = [
    "CommandLine",
    "DispatchResult",
    "as_json",
    "as_set",
    "banner_for",
    "cli_banner",
    "command_answer",
    "displayed",
    "json_reply",
    "message_lines",
    "parse_command",
    "refusal_text",
    "result_text",
    "rpc_error",
    "rpc_reply",
    "rpc_request",
    "xml_reply",
]


@dataclass(slots=True)
class DispatchResult:
    """Reply children, leading rpc-errors (warnings), and the wire effects of a control RPC:
    RE slots whose sessions to drop, RE slots whose next reply to truncate; ``text`` is
    character data of ``<rpc-reply>`` itself (a JSON reply); ``read_only``: the row only read
    the model (:attr:`~emulator.commands.table.Command.read_only`)."""

    body: list[etree._Element] = field(default_factory=list)
    errors: list[RpcError] = field(default_factory=list)
    drop: set[int] = field(default_factory=set)
    truncate: set[int] = field(default_factory=set)
    ok: bool = False
    text: str | None = None
    read_only: bool = False


# ------------------------------------------------------------------ text
def message_lines(result: Result, shown: Collection[str] = ()) -> str:
    """Return the ``warning: ...`` and ``error: ...`` lines of ``result``, each ending in a
    newline; a warning whose first line the CLI already printed (in ``shown``, the lines before
    its confirmation prompt) is not repeated."""
    said = "\n".join(shown)
    lines = [f"warning: {w}" for w in result.warnings
             if not said or w.split("\n")[0] not in said]
    lines += [f"error: {e}" for e in result.errors]
    return "".join(line + "\n" for line in lines)


def result_text(result: Result, shown: Collection[str] = (), pipes: Iterable[Pipe] = ()
                ) -> str:
    """Return the text form of ``result``: its messages, then its text through the text
    filters ``pipes`` (only the command's own text is filtered, as the CLI's pager does)."""
    return message_lines(result, shown) + apply_text(result.text, pipes)


def refusal_text(exc: ModelError) -> str:
    """Return the router's refusal as the CLI prints it: ``error: ...`` lines."""
    if isinstance(exc, NotReadyError):
        # Real transcript: "Command aborted. Not ready for mastership switch, ..." after a
        # blank line and without "error:".
        return f"\n{exc}\n"
    return "".join(f"error: {line}\n" for line in str(exc).splitlines())


def rpc_error(exc: ModelError) -> RpcError:
    """Return the router's refusal as an ``<rpc-error>``: a configuration refusal is a
    ``protocol`` error (a failed commit check lists every message), any other one an
    ``application`` error, as Junos reports a failed operational command."""
    if isinstance(exc, ConfigError):
        messages = exc.messages if isinstance(exc, CommitCheckError) else [str(exc)]
        return RpcError("protocol", exc.tag, "error", "\n".join(messages))
    return RpcError("application", exc.tag, "error", str(exc))


# ------------------------------------------------------------------ XML RPC
def xml_reply(cmd: Command, result: Result) -> DispatchResult:
    """Return the XML reply: warnings in the row's form, the data, partial errors."""
    errors = [RpcError("protocol", "operation-failed", "error", e) for e in result.errors]
    if cmd.warning_form is WarningForm.RPC_ERROR:
        warnings = [RpcError("protocol", "operation-failed", "warning", w)
                    for w in result.warnings]
        return DispatchResult(list(result.xml), warnings + errors, ok=result.ok)
    body = [xnm_message("warning", w) for w in result.warnings] + list(result.xml)
    return DispatchResult(body, errors, ok=result.ok)


def rpc_reply(cmd: Command, req: Request, result: Result) -> DispatchResult:
    """Return the reply to RPC ``req``: JSON when it asks ``format="json"`` (any RPC whose
    format is not its payload's: PyEZ ``{'format': 'json'}``, ``get-configuration``); its text
    form in the row's text shape when it asks ``format="text"`` (Junos XML API: any operational
    RPC, PyEZ ``{'format': 'text'}``) and the row does not read ``format`` itself; its XML
    otherwise."""
    fmt = req.attrs.get("format", "").lower()
    if fmt == "json" and not cmd.payload_format:
        return json_reply(cmd, result)
    if fmt == "text" and not cmd.own_format:
        return DispatchResult([cmd.text_element(result_text(result))], ok=result.ok)
    return xml_reply(cmd, result)


# ------------------------------------------------------------------ <command>
@dataclass(frozen=True, slots=True)
class CommandLine:
    """A command line resolved through the table: the row, its invocation, its pipes."""

    cmd: Command
    request: Request
    pipes: tuple[Pipe, ...] = ()

    def has(self, kind: PipeKind) -> bool:
        """Return True if the line pipes through ``kind``."""
        return any(p.kind is kind for p in self.pipes)


def parse_command(table: Table, head: str, pipes: Iterable[Pipe]) -> CommandLine:
    """Resolve the command part ``head`` of a line.  Raises CommandSyntaxError."""
    cmd, req = table.parse_cli(head)
    return CommandLine(cmd, req, tuple(pipes))


def rpc_request(line: CommandLine) -> etree._Element:
    """Return the ``<rpc>`` the line stands for (``| display xml rpc``): the row's element with
    the implied attributes and one child per argument (``<x/>`` for a flag)."""
    rpc = etree.Element("rpc")
    if line.request.element is not None:  # built from a PATH argument (table.ArgKind.PATH)
        rpc.append(copy.deepcopy(line.request.element))
        return rpc
    call = etree.SubElement(rpc, line.cmd.rpc, dict(line.request.attrs))
    for key, value in line.request.items():
        etree.SubElement(call, key).text = None if value is True else str(value)
    return rpc


def cli_banner(banner: str) -> etree._Element:
    """Return ``<cli><banner>{master}</banner></cli>`` (empty without graceful-switchover)."""
    cli = etree.Element("cli")
    etree.SubElement(cli, "banner").text = banner
    return cli


#: ``{master}``/``{backup}`` for the RE states (transitional states show where they lead from).
_BANNER_STATE = {
    REState.MASTER: "master",
    REState.GIVEUP: "master",
    REState.BACKUP: "backup",
    REState.CLAIM: "backup",
    REState.DISABLED: "disabled",
}


def banner_for(model: RouterModel, slot: int) -> str:
    """Return ``{master}``/``{backup}`` once graceful-switchover is configured, else ''.

    Chapter: "If graceful-switchover is configured, the CLI command prompt will look as
    follows: {backup} user@host-re0>".
    """
    r = model.chassis.re(slot)
    if not model.settings(slot).graceful_switchover or r.state not in _BANNER_STATE:
        return ""
    return "{" + _BANNER_STATE[r.state] + "}"


def _json_text(result: Result) -> str:
    """Return the JSON of ``result``'s XML: the configuration convention for a
    ``<configuration>``, the operational one otherwise."""
    conf = next((el for el in result.xml if etree.QName(el).localname == "configuration"),
                None)
    if conf is None:
        return operational_json(result.xml)
    tree, _ = cfg.parse_xml(conf)
    attrs = {f"junos:{etree.QName(k).localname}" if etree.QName(k).namespace else str(k): str(v)
             for k, v in conf.attrib.items()}
    return config_json(tree, attrs)


def json_reply(cmd: Command, result: Result) -> DispatchResult:
    """Return the JSON reply: the document as the text of ``<rpc-reply>``, warnings and partial
    errors still as ``<rpc-error>`` (they are NETCONF's, not the data's)."""
    xml = xml_reply(cmd, result)
    data = [el for el in xml.body if etree.QName(el).namespace != XNM_NS]
    errors = xml.errors + [RpcError("protocol", "operation-failed", "warning", w)
                           for w in result.warnings if cmd.warning_form is WarningForm.XNM]
    return DispatchResult([], errors, ok=result.ok,
                          text=_json_text(Result(data)) if data else None)


def as_json(result: Result) -> Result:
    """Return ``result`` with its JSON as its text (``| display json``)."""
    return Result(result.xml, _json_text(result), result.warnings, result.errors, result.ok)


def displayed(line: CommandLine, result: Result) -> Result:
    """Return ``result`` as the line's text-producing display pipe shows it (``| display set``,
    ``| display json``); unchanged without one."""
    if line.has(PipeKind.DISPLAY_SET):
        return as_set(result)
    if line.has(PipeKind.DISPLAY_JSON):
        return as_json(result)
    return result


def as_set(result: Result) -> Result:
    """Return ``result`` with its configuration as ``set`` commands (``| display set``); a
    result that holds no ``<configuration>`` is returned as it is."""
    conf = next((el for el in result.xml if el.tag == "configuration"), None)
    if conf is None:
        return result
    tree, _ = cfg.parse_xml(conf)
    text = "".join(line + "\n" for line in cfg.render_set(tree))
    return Result(result.xml, text, result.warnings, result.errors, result.ok)


def command_answer(line: CommandLine, result: Result | None, fmt: str, banner: str
                   ) -> DispatchResult:
    """Return the management daemon's answer to ``<command format=fmt>``: the display pipes
    applied (``| display xml rpc``: the RPC and the ``<cli>`` banner, as in
    command.display-xml-rpc.show-system-uptime.pyez.xml; ``| display set``: set commands as
    text), the text filters echoed in ``<pipe>`` but not applied (pipes module docstring).

    ``result`` is the handler's, None only for ``| display xml rpc`` (nothing runs).
    """
    if line.has(PipeKind.DISPLAY_XML_RPC) or result is None:
        return DispatchResult([rpc_request(line), cli_banner(banner)])
    if fmt == "json" or line.has(PipeKind.DISPLAY_JSON):
        return json_reply(line.cmd, result)
    if line.has(PipeKind.DISPLAY_SET):
        result = as_set(result)
        fmt = "text"
    if fmt != "text" or line.has(PipeKind.DISPLAY_XML):
        return xml_reply(line.cmd, result)
    pipe = directive(line.pipes)
    text = line.cmd.text_element(result_text(result))
    return DispatchResult([text] if pipe is None else [pipe, text], ok=result.ok)
