"""Handlers: ``request chassis routing-engine master acquire|release|switch``, ``show log``,
``request system halt|reboot|power-on`` and ``show chassis fpc``.

Texts are the chapter's ("Manually Switching Routing Engine Mastership", "Use the Proper
Shutdown Process on a Backup Routing Engine") and the real transcripts in
``samples/cli.request-chassis-routing-engine-master-switch.transcripts.crtc-readme.txt``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from lxml import etree

from emulator.commands.table import CommandContext, Result, output_element
from emulator.commands.xmlutil import junos_ns, sub
from emulator.model.chassis import Scope, SwitchMethod, SwitchOutcome
from emulator.model.errors import CommandRefusedError, UnknownTargetError
from emulator.model.router import RouterModel

__all__ = [
    "HALT_WARNING",
    "PFE_WARNING",
    "fpc_information",
    "get_log",
    "power_on",
    "request_halt",
    "request_reboot",
    "switch_preamble",
    "switchover",
]

Args = Mapping[str, str | bool]

PFE_WARNING = "Traffic will be interrupted while the PFE is re-initialized"
HALT_WARNING = ("This command will not halt the other routing-engine.\n"
                "If planning to switch off power, use the both-routing-engines option.")
REBOOT_WARNING = ("This command will not reboot the other routing-engine.\n"
                  "If planning to reboot both, use the both-routing-engines option.")


def _model(ctx: CommandContext) -> RouterModel:
    assert isinstance(ctx.chassis, RouterModel)
    return ctx.chassis


def switch_preamble(method: SwitchMethod, ctx: CommandContext) -> list[str]:
    """Return the lines the CLI prints before the confirmation prompt (chapter texts)."""
    if _model(ctx).chassis.gres():
        return []
    if method is SwitchMethod.RELEASE:
        return ["", PFE_WARNING]
    return [f"warning: {PFE_WARNING}"]


def _outcome_text(out: SwitchOutcome) -> str:
    if not out.completed:
        return "Resolving mastership..."
    who = "local" if out.local_became_master else "other"
    return f"Resolving mastership...\nComplete. The {who} routing engine becomes the master."


def switchover(method: SwitchMethod):  # type: ignore[no-untyped-def]
    """Return the handler of ``request chassis routing-engine master <method>``."""

    def handler(ctx: CommandContext, args: Args) -> Result:
        model = _model(ctx)
        check = bool(args.get("check"))
        out = model.chassis.switchover(ctx.slot, method, check=check,
                                       force=bool(args.get("force")))
        if check:
            text = "Switchover Ready" if out.gres else "Switchover Ready (no graceful-switchover)"
            return Result([output_element(text)], text)
        text = _outcome_text(out)
        warnings = [] if ctx.interactive else [
            line for line in switch_preamble(method, ctx) if line and "warning" in line
        ]
        warnings = [w.removeprefix("warning: ") for w in warnings]
        return Result([output_element(text)], text, warnings)

    return handler


def get_log(ctx: CommandContext, args: Args) -> Result:
    """``show log <file>``: the mastership log as ``<file-content>`` (NOTES.md 3.3).

    Raises UnknownTargetError for a log file the RE does not keep.
    """
    model = _model(ctx)
    name = str(args.get("filename", ""))
    if name.removeprefix("/var/log/") != "mastership":
        raise UnknownTargetError(f"could not resolve file: {name}")
    text = model.chassis.re(ctx.slot).log.render()
    el = etree.Element("file-content", nsmap={"junos": junos_ns(_version(ctx))})
    el.set("filename", "/var/log/mastership")
    el.set(f"{{{junos_ns(_version(ctx))}}}seconds", str(int(model.clock.now())))
    el.set("filesize", str(len(text.encode())))
    el.set("encoding", "text")
    el.text = text
    return Result([el], text)


def _version(ctx: CommandContext) -> str:
    return _model(ctx).chassis.re(ctx.slot).hardware.version


def _scope(args: Args) -> Scope:
    if args.get("both-routing-engines") or args.get("routing-engine") == "both":
        return Scope.BOTH
    if args.get("other-routing-engine") or args.get("routing-engine") == "other":
        return Scope.OTHER
    return Scope.LOCAL


def _shutdown_result(ctx: CommandContext, verb: str, warning: str | None) -> Result:
    model = _model(ctx)
    pid = 8000 + int(model.clock.now()) % 1000
    results = etree.Element("request-reboot-results")
    sub(results, "request-reboot-status", f"Shutdown NOW!\n[pid {pid}]",
        **{"reboot-time": str(int(model.clock.now()))})
    host = model.hostname(ctx.slot)
    text = (f"\n*** FINAL System shutdown message from {ctx.user}@{host} ***\n"
            f"System going down IMMEDIATELY\n\nshutdown: [pid {pid}]\nShutdown NOW!")
    return Result([results], text, [warning] if warning else [])


def request_halt(ctx: CommandContext, args: Args) -> Result:
    """``request system halt [both-routing-engines | other-routing-engine]``.

    Chapter: it "only shuts down the Routing Engine you are logged in to" and warns so.
    """
    model = _model(ctx)
    scope = _scope(args)
    warn = HALT_WARNING if scope is Scope.LOCAL and model.chassis.dual else None
    result = _shutdown_result(ctx, "halt", warn)
    model.chassis.halt(ctx.slot, scope)
    return result


def request_reboot(ctx: CommandContext, args: Args) -> Result:
    """``request system reboot [both-routing-engines | other-routing-engine]``."""
    model = _model(ctx)
    scope = _scope(args)
    result = _shutdown_result(ctx, "reboot", None)
    model.chassis.reboot(ctx.slot, scope)
    return result


def power_on(ctx: CommandContext, args: Args) -> Result:
    """``request system power-on other-routing-engine``: boot the halted other RE."""
    model = _model(ctx)
    peer = model.chassis.other(ctx.slot)
    if peer is None:
        raise CommandRefusedError("There is no other routing engine on this platform")
    model.chassis.power_on(peer.slot)
    text = f"Powering on {peer.name}"
    return Result([output_element(text)], text)


def fpc_information(ctx: CommandContext, args: Args) -> Result:
    """``show chassis fpc``: FPC state and start time (shows the PFE re-initialisation)."""
    model = _model(ctx)
    ns = f"http://xml.juniper.net/junos/{_version(ctx)}/junos-chassis"
    root = etree.Element(f"{{{ns}}}fpc-information", nsmap={None: ns})
    lines = ["                     Temp  CPU Utilization (%)   Memory    Utilization (%)",
             "Slot State            (C)  Total  Interrupt      DRAM (MB) Heap     Buffer"]
    now = model.clock.now()
    for slot, online, since in model.chassis.fpc_states():
        fpc = sub(root, "fpc")
        sub(fpc, "slot", slot)
        state = "Online" if online else "Offline"
        sub(fpc, "state", state)
        if online:
            sub(fpc, "start-time", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(since)))
            sub(fpc, "up-time", int(now - since))
        lines.append(f"{slot:>4}  {state:<16}")
    text = "\n".join(lines)
    return Result([root], text)
