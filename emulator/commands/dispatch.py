"""NETCONF RPC dispatch: one operation element in, reply children (or an RpcError) out.

Resolution order: emulator control RPCs (namespace ``urn:re-emulator:control:1``, control users
only) -> ``<command>`` (CLI text through the one command table) -> configuration RPCs ->
operational RPCs by element name.  Model refusals (:class:`ModelError`) become ``<rpc-error>``
with the router's message, as Junos reports a failed operational command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from emulator.commands import config_rpcs
from emulator.commands.control import CONTROL_NS, run_control
from emulator.commands.operational import TABLE
from emulator.commands.table import Command, CommandContext, Result, output_element
from emulator.commands.xmlutil import xnm_message
from emulator.model.errors import ModelError
from emulator.model.router import RouterModel
from emulator.netconf.errors import RpcError

__all__ = ["DispatchResult", "Dispatcher"]

_PIPE = re.compile(r"\s*\|\s*")


@dataclass(slots=True)
class DispatchResult:
    """Reply children, leading rpc-errors (warnings) and sessions to drop afterwards."""

    body: list[etree._Element] = field(default_factory=list)
    errors: list[RpcError] = field(default_factory=list)
    drop: set[int] = field(default_factory=set)
    ok: bool = False


def _error(exc: ModelError) -> RpcError:
    return RpcError("application", exc.tag, "error", str(exc))


class Dispatcher:
    """Dispatches the RPCs of sessions on one router."""

    def __init__(self, model: RouterModel) -> None:
        self.model = model

    def dispatch(self, ctx: CommandContext, op: etree._Element, *, control: bool
                 ) -> DispatchResult:
        """Run ``op`` for the session described by ``ctx``; the caller holds ``model.lock``.

        Raises RpcError for anything the router refuses.
        """
        qname = etree.QName(op)
        try:
            if qname.namespace == CONTROL_NS:
                return self._control(op, qname.localname, control)
            if qname.localname == "command":
                return self._command(ctx, op)
            if qname.localname == "get":
                op = _get_as_get_config(op)
            handled = config_rpcs.handle(self.model, ctx, op)
            if handled is not None:
                return DispatchResult(handled.body, handled.errors, ok=handled.ok)
            return self._operational(ctx, op, qname.localname)
        except ModelError as exc:
            raise _error(exc) from exc

    def _control(self, op: etree._Element, name: str, control: bool) -> DispatchResult:
        if not control:
            raise RpcError("protocol", "access-denied", "error", "permission denied",
                           info={"bad-element": name})
        args = {etree.QName(c).localname: (c.text or "").strip() for c in op
                if isinstance(c.tag, str)}
        res = run_control(self.model, name, args)
        return DispatchResult(res.body, drop=res.drop, ok=not res.body)

    def _operational(self, ctx: CommandContext, op: etree._Element, name: str
                     ) -> DispatchResult:
        cmd = TABLE.by_rpc(name)
        if cmd is None:
            raise RpcError("protocol", "operation-failed", "error", "syntax error",
                           info={"bad-element": name})
        args = dict(cmd.implied)
        args.update(TABLE.rpc_args(op))
        result = cmd.handler(ctx, args)
        # Junos XML API: any operational RPC takes format="text" (PyEZ {'format': 'text'}).
        return _as_text(cmd, result) if op.get("format") == "text" else _as_xml(result)

    def _command(self, ctx: CommandContext, op: etree._Element) -> DispatchResult:
        """``<command format="text|xml">show ...| display xml rpc</command>`` (NOTES 3.13)."""
        line = (op.text or "").strip()
        fmt = op.get("format", "xml")
        words, *pipes = _PIPE.split(line)
        cmd, args = TABLE.parse_cli(words)
        if [p.strip() for p in pipes] == ["display xml rpc"]:
            rpc = etree.Element("rpc")
            call = etree.SubElement(rpc, cmd.rpc)
            for key, value in args.items():
                child = etree.SubElement(call, key)
                if value is not True:
                    child.text = str(value)
            return DispatchResult([rpc])
        result = cmd.handler(ctx, args)
        return _as_text(cmd, result) if fmt == "text" else _as_xml(result)


def _as_text(cmd: Command, result: Result) -> DispatchResult:
    """The text reply: warnings and errors as the CLI prints them, then the command's text."""
    text = "\n".join([f"warning: {w}" for w in result.warnings]
                     + [f"error: {e}" for e in result.errors])
    text = f"{text}\n{result.text}" if text else result.text
    return DispatchResult([_text_element(cmd.rpc, text)])


#: ``<command format="text">`` replies that are not ``<output>`` (sample
#: command.text.show-configuration.pyez.xml).
_TEXT_SHAPES = {"get-configuration": ("configuration-information", "configuration-output")}


def _text_element(rpc: str, text: str) -> etree._Element:
    shape = _TEXT_SHAPES.get(rpc)
    if shape is None:
        return output_element(text)
    outer = etree.Element(shape[0])
    etree.SubElement(outer, shape[1]).text = text
    return outer


def _get_as_get_config(op: etree._Element) -> etree._Element:
    """RFC 6241 7.7 ``<get>``: Junos answers with the running configuration in ``<data>``;
    no state data is modelled, so it is ``<get-config>`` of ``running`` (netconf-console2
    ``--get``)."""
    nc = etree.QName(op).namespace
    q = (lambda tag: f"{{{nc}}}{tag}") if nc else (lambda tag: tag)
    get_config = etree.Element(q("get-config"))
    etree.SubElement(etree.SubElement(get_config, q("source")), q("running"))
    return get_config


def _as_xml(result: Result) -> DispatchResult:
    body = [xnm_message("warning", w) for w in result.warnings] + list(result.xml)
    errors = [RpcError("protocol", "operation-failed", "error", e) for e in result.errors]
    return DispatchResult(body, errors)
