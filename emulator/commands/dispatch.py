"""NETCONF RPC dispatch: one operation element in, reply children (or an RpcError) out.

Two doors only: emulator control RPCs (namespace ``urn:re-emulator:control:1``, control users
only; they are not Junos commands) and the one command table, which holds every Junos RPC
(operational and configuration alike) and answers ``<command>`` through the same rows and the
same pipe engine as the CLI.  Model refusals (:class:`ModelError`) become ``<rpc-error>`` with
the router's message (:func:`~emulator.commands.reply.rpc_error`).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from emulator.commands.context import CommandContext
from emulator.commands.control import CONTROL_NS, run_control
from emulator.commands.grammar import CliSyntaxError
from emulator.commands.operational import TABLE
from emulator.commands.pipes import PipeKind, parse_line_pipes
from emulator.commands.reply import (
    DispatchResult,
    banner_for,
    command_answer,
    parse_command,
    rpc_error,
    rpc_reply,
)
from emulator.model.errors import ModelError
from emulator.model.router import RouterModel
from emulator.netconf.errors import RpcError

__all__ = ["DispatchResult", "Dispatcher"]


class Dispatcher:
    """Dispatches the RPCs of sessions on one router."""

    def __init__(self, model: RouterModel) -> None:
        self.model = model

    def dispatch(self, ctx: CommandContext, op: etree._Element, *, control: bool
                 ) -> DispatchResult:
        """Run ``op`` for the session described by ``ctx`` (the caller serialises calls per router).

        Raises RpcError for anything the router refuses.
        """
        qname = etree.QName(op)
        try:
            if qname.namespace == CONTROL_NS:
                return self._control(op, qname.localname, control)
            if qname.localname == "command":
                return self._command(ctx, op)
            return self._rpc(ctx, op, qname.localname)
        except ModelError as exc:
            raise rpc_error(exc) from exc

    def _control(self, op: etree._Element, name: str, control: bool) -> DispatchResult:
        if not control:
            raise RpcError("protocol", "access-denied", "error", "permission denied",
                           info={"bad-element": name})
        args = {etree.QName(c).localname: (c.text or "").strip() for c in op
                if isinstance(c.tag, str)}
        res = run_control(self.model, name, args)
        return DispatchResult(res.body, drop=res.drop, truncate=res.truncate, ok=not res.body)

    def _rpc(self, ctx: CommandContext, op: etree._Element, name: str) -> DispatchResult:
        cmd = TABLE.by_rpc(name)
        if cmd is None:
            raise RpcError("protocol", "operation-failed", "error", "syntax error",
                           info={"bad-element": name})
        req = TABLE.request(op)
        result = rpc_reply(cmd, req, cmd.handler(ctx, req))
        result.read_only = cmd.read_only
        return result

    def _command(self, ctx: CommandContext, op: etree._Element) -> DispatchResult:
        """``<command format="text|xml">show ... | pipes</command>`` (NOTES.md 3.13)."""
        try:
            head, pipes = parse_line_pipes((op.text or "").strip())
        except CliSyntaxError as exc:
            raise RpcError("application", "invalid-value", "error", str(exc)) from exc
        line = parse_command(TABLE, head, pipes)
        fmt = op.get("format", "xml")
        if line.cmd.own_format and fmt not in ("xml", "text", "json"):
            # <command format="set">show configuration</command>: the row's own format
            # (Ansible junos_command "| display set" sends it so).
            request = replace(line.request, attrs={**line.request.attrs, "format": fmt})
            line = replace(line, request=request)
        banner = banner_for(self.model, ctx.slot)
        if line.has(PipeKind.DISPLAY_XML_RPC):
            answer = command_answer(line, None, "xml", banner)
        else:
            answer = command_answer(line, line.cmd.handler(ctx, line.request), fmt, banner)
        answer.read_only = line.cmd.read_only  # the pipes only transform the reply
        return answer
