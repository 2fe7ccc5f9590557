"""Handlers: ``request chassis routing-engine master acquire|release|switch``, ``show log``,
``request system halt|reboot|power-on`` and ``show chassis fpc``.

Texts are the chapter's ("Manually Switching Routing Engine Mastership", "Use the Proper
Shutdown Process on a Backup Routing Engine") and the real transcripts in
``samples/cli.request-chassis-routing-engine-master-switch.transcripts.crtc-readme.txt``.
"""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Callable, Mapping

from lxml import etree

from emulator.commands.chassis_cmds import not_master_answer
from emulator.commands.context import CommandContext, Result
from emulator.commands.files import file_content, file_list, read_file
from emulator.commands.xmlutil import output_element, sub
from emulator.model.chassis import Scope, SwitchMethod, SwitchOutcome
from emulator.model.errors import (
    CommandRefusedError,
    ModelError,
    UnknownTargetError,
    UnreachableError,
)
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState

__all__ = [
    "HALT_WARNING",
    "halt_preamble",
    "PFE_WARNING",
    "fpc_information",
    "clear_log",
    "get_log",
    "power_on",
    "request_halt",
    "request_reboot",
    "switch_preamble",
    "switchover",
]

Args = Mapping[str, str | bool]

log = logging.getLogger(__name__)

PFE_WARNING = "Traffic will be interrupted while the PFE is re-initialized"
HALT_WARNING = ("This command will not halt the other routing-engine.\n"
                "If planning to switch off power, use the both-routing-engines option.")
REBOOT_WARNING = ("This command will not reboot the other routing-engine.\n"
                  "If planning to reboot both, use the both-routing-engines option.")



def switch_preamble(method: SwitchMethod, ctx: CommandContext) -> list[str]:
    """Return the lines the CLI prints before the confirmation prompt (chapter texts)."""
    if ctx.router.chassis.gres():
        return []
    if method is SwitchMethod.RELEASE:
        return ["", PFE_WARNING]
    return [f"warning: {PFE_WARNING}"]


def _outcome_text(out: SwitchOutcome) -> str:
    if not out.completed:
        return "Resolving mastership..."
    who = "local" if out.local_became_master else "other"
    return f"Resolving mastership...\nComplete. The {who} routing engine becomes the master."


def _settled(ctx: CommandContext, out: SwitchOutcome) -> Callable[[], str | None] | None:
    """Return what the CLI prints in place of the "Complete." line once the mastership is
    resolved (None while RE ``out.issued_on`` still claims or gives up), or None when the
    outcome is already in place.

    The Junos CLI prints "Complete. ..." when the resolution is over, and its next prompt
    shows the new role (12.3 transcript: "Complete. The other routing engine becomes the
    master." then ``{backup}``).  If the resolution did not end as requested (the link was
    cut meanwhile and the request retried until E_MAXTRY) nothing more is printed: the
    mastership log tells why.
    """
    if not out.settles_in:
        return None
    slot = out.issued_on

    def settled() -> str | None:
        state = ctx.router.chassis.re(slot).state
        if state in (REState.CLAIM, REState.GIVEUP):
            return None
        if (state is REState.MASTER) == out.local_became_master:
            return _outcome_text(out).splitlines()[-1]
        return ""

    return settled


def switchover(method: SwitchMethod):  # type: ignore[no-untyped-def]
    """Return the handler of ``request chassis routing-engine master <method>``."""

    def handler(ctx: CommandContext, args: Args) -> Result:
        model = ctx.router
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
        return Result([output_element(text)], text, warnings, settled=_settled(ctx, out))

    return handler


def get_log(ctx: CommandContext, args: Args) -> Result:
    """``show log <file>``: a file of ``/var/log`` (``mastership``, ``messages``; an absolute
    path too) as ``<file-content>`` (NOTES.md 3.3); ``show log`` alone: the ``/var/log``
    listing, as ``file list /var/log/``.

    Raises UnknownTargetError for a log file the RE does not keep.
    """
    name = str(args.get("filename", ""))
    if not name:
        # Junos: "show log" alone lists the log directory.
        return file_list(ctx, {"path": "/var/log/"})
    path = name if name.startswith("/") else f"/var/log/{name}"
    data = read_file(ctx.router, ctx.slot, path)
    if data is None:
        raise UnknownTargetError(f"could not resolve file: {name}")
    return Result([file_content(ctx, path, data)], data.decode(errors="replace"))


def clear_log(ctx: CommandContext, args: Args) -> Result:
    """``clear log <file>`` (RPC ``clear-log``): the log is emptied but for the line Junos
    writes, ``clear-log[<pid>]: logfile cleared`` (the first line of the chapter's sample log,
    "Jan 12 21:50:05 clear-log[865]: logfile cleared").

    Raises UnknownTargetError for a log file the RE does not keep.
    """
    name = str(args.get("filename", ""))
    if name.removeprefix("/var/log/") != "mastership":
        raise UnknownTargetError(f"could not resolve file: {name}")
    now = ctx.router.clock.now()
    # A process id in the range of the chapter's (865), stable for a given moment.
    ctx.router.chassis.re(ctx.slot).log.clear(now, 800 + int(now) % 200)
    return Result([], ok=True)


def _scope(args: Args) -> Scope:
    if args.get("both-routing-engines") or args.get("routing-engine") == "both":
        return Scope.BOTH
    if args.get("other-routing-engine") or args.get("routing-engine") == "other":
        return Scope.OTHER
    return Scope.LOCAL


def _delay(ctx: CommandContext, args: Args) -> float:
    """Return the seconds until the shutdown ``in`` (minutes) or ``at`` asks for (D9: ``at``
    is ``now``, ``+minutes``, ``yymmddhhmm`` or ``hh:mm``, in UTC here).  PyEZ ``SW.reboot``
    always sends ``<in>0</in>``.  Raises UnknownTargetError for a value Junos would refuse."""
    now = ctx.router.clock.now()
    when = str(args.get("at") or "")
    try:
        if args.get("in") not in (None, True):
            return max(0.0, float(str(args["in"])) * 60)
        if when in ("", "now"):
            return 0.0
        if when.startswith("+"):
            return float(when[1:]) * 60
        fmt = "%H:%M" if ":" in when else "%y%m%d%H%M"
        parsed = time.strptime(when, fmt)
    except ValueError as exc:
        raise UnknownTargetError(f"invalid time: {args.get('in') or when}") from exc
    if fmt == "%H:%M":
        day = time.gmtime(now)
        parsed = time.struct_time((*day[:3], parsed.tm_hour, parsed.tm_min, 0, *day[6:]))
    return max(0.0, calendar.timegm(parsed) - now)


def _status_text(model: RouterModel, delay: float, pid: int) -> str:
    """``Shutdown NOW!`` or ``Shutdown at Wed Jul  9 18:15:00 2014`` (request-reboot.at)."""
    if delay <= 0:
        return f"Shutdown NOW!\n[pid {pid}]"
    at = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(model.clock.now() + delay))
    return f"Shutdown at {at}\n[pid {pid}]"


def _shutdown_result(ctx: CommandContext, targets: list[int], scope: Scope,
                     warning: str | None, delay: float = 0.0) -> Result:
    """The reply of request-halt / request-reboot.

    Local RE: ``request-reboot-results`` (the samples).  Other or both REs (no sample, NOTES.md
    section 4): a ``multi-routing-engine-results`` item per RE addressed, other RE first, as
    Junos reports commands run on several REs (``invoke-on``); choice in docs/emulator-model.md.
    """
    model = ctx.router
    pid = 8000 + int(model.clock.now()) % 1000
    host = model.hostname(ctx.slot)
    stamp = str(int(model.clock.now() + delay))
    warnings = [warning] if warning else []
    if scope is Scope.LOCAL:
        status = _status_text(model, delay, pid)
        results = etree.Element("request-reboot-results")
        sub(results, "request-reboot-status", status, **{"reboot-time": stamp})
        banner = (f"\n*** FINAL System shutdown message from {ctx.user}@{host} ***\n"
                  f"System going down IMMEDIATELY\n\nshutdown: [pid {pid}]\nShutdown NOW!"
                  if delay <= 0 else status)
        return Result([results], banner, warnings)
    multi = etree.Element("multi-routing-engine-results")
    texts = []
    for i, slot in enumerate(targets):
        status = _status_text(model, delay, pid + i)
        item = sub(multi, "multi-routing-engine-item")
        sub(item, "re-name", f"re{slot}")
        results = sub(item, "request-reboot-results")
        sub(results, "request-reboot-status", status, **{"reboot-time": stamp})
        texts.append(f"re{slot}:\n{'-' * 76}\n{status}")
    return Result([multi], "\n\n".join(texts), warnings)


def _targets(model: RouterModel, slot: int, scope: Scope) -> list[int]:
    """Return the slots ``scope`` addresses from ``slot`` (other RE first, as the model acts).

    Raises CommandRefusedError on a single-RE platform for other/both.
    """
    if scope is Scope.LOCAL:
        return [slot]
    peer = model.chassis.other(slot)
    if peer is None:
        raise CommandRefusedError("There is no other routing engine on this platform")
    return [peer.slot] if scope is Scope.OTHER else [peer.slot, slot]


def _run_or_schedule(model: RouterModel, delay: float, action: Callable[[], object],
                     name: str) -> None:
    """Run ``action`` now, or after ``delay`` seconds on the virtual clock (``in`` / ``at``).

    A delayed shutdown that can no longer happen (the RE went down meanwhile) is dropped, as
    a pending shutdown dies with its RE; it is logged, not raised, since no client waits.
    """
    if delay <= 0:
        action()
        return

    def fire() -> None:
        try:
            action()
        except ModelError as exc:
            log.info("%s: scheduled %s dropped: %s", model.name, name, exc)

    model.clock.call_later(delay, fire, name)


def _halt_warning(model: RouterModel, args: Args) -> str | None:
    """Chapter: a local halt on a dual-RE router warns that the other RE keeps running."""
    return HALT_WARNING if _scope(args) is Scope.LOCAL and model.chassis.dual else None


def halt_preamble(ctx: CommandContext, args: Args) -> list[str]:
    """Return the lines the CLI prints before ``Halt the system ?`` (the chapter's warning)."""
    warning = _halt_warning(ctx.router, args)
    return [f"warning: {warning}"] if warning else []


def _shutdown(ctx: CommandContext, args: Args, halt: bool) -> Result:
    model = ctx.router
    scope = _scope(args)
    delay = _delay(ctx, args)
    targets = _targets(model, ctx.slot, scope)
    for t in targets:  # refuse now, with nothing changed, what the model would refuse later
        if t != ctx.slot and not model.chassis.reachable(ctx.slot, t):
            raise UnreachableError(f"Could not connect to re{t} : No route to host")
    warn = _halt_warning(model, args) if halt else None
    result = _shutdown_result(ctx, targets, scope, warn, delay)
    act = model.chassis.halt if halt else model.chassis.reboot
    slot = ctx.slot
    _run_or_schedule(model, delay, lambda: act(slot, scope), "halt" if halt else "reboot")
    return result


def request_halt(ctx: CommandContext, args: Args) -> Result:
    """``request system halt [both-routing-engines | other-routing-engine] [in N | at T]``.

    Chapter "Use the Proper Shutdown Process on a Backup Routing Engine": it "only shuts down
    the Routing Engine you are logged in to" and warns so (reply as request-halt.pyez.xml).
    Raises the model's errors (other RE unreachable, no other RE) with nothing changed.
    """
    return _shutdown(ctx, args, halt=True)


def request_reboot(ctx: CommandContext, args: Args) -> Result:
    """``request system reboot [both-routing-engines | other-routing-engine] [in N | at T]``:
    the REs addressed are back after the boot time with a new start time and
    last-reboot-reason.  Raises as :func:`request_halt`."""
    return _shutdown(ctx, args, halt=False)


def power_on(ctx: CommandContext, args: Args) -> Result:
    """``request system power-on other-routing-engine``: boot the halted other RE."""
    model = ctx.router
    peer = model.chassis.other(ctx.slot)
    if peer is None:
        raise CommandRefusedError("There is no other routing engine on this platform")
    model.chassis.power_on(peer.slot)
    text = f"Powering on {peer.name}"
    return Result([output_element(text)], text)


def fpc_information(ctx: CommandContext, args: Args) -> Result:
    """``show chassis fpc``: FPC state and start time (shows the PFE re-initialisation); only
    on the master, as every chassis command but ``show chassis routing-engine``."""
    refused = not_master_answer(ctx)
    if refused is not None:
        return refused
    model = ctx.router
    ns = f"http://xml.juniper.net/junos/{ctx.version}/junos-chassis"
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
