"""Emulator-only control RPCs, accepted only from control users: what each does to the model.

The RPCs themselves -- namespace, names, arguments -- are the contract's
(:mod:`re_contract.control`, one declaration for the harness and the emulator); DESIGN.md "Time
and faults": suites make time pass and faults happen over the wire, like everything else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from lxml import etree

from emulator.model.chassis import Scope
from emulator.model.errors import UnknownTargetError
from emulator.model.router import RouterModel
from re_contract.control import CONTROL_NS, ControlRpc, check_control
from re_contract.errors import ControlRpcError

__all__ = ["CONTROL_NS", "ControlResult", "run_control"]
#: The longest single advance accepted (30 days): bounds the work one RPC can cause.
MAX_ADVANCE = 30 * 86400.0


class ControlResult:
    """Reply body of a control RPC plus the wire effects the face applies (the model holds no
    session state): ``drop`` the sessions of these RE slots, ``truncate`` the next reply of
    these slots."""

    def __init__(self, body: list[etree._Element], drop: set[int] | None = None,
                 truncate: set[int] | None = None) -> None:
        self.body = body
        self.drop = drop or set()
        self.truncate = truncate or set()


def _el(tag: str, text: object | None = None) -> etree._Element:
    el = etree.Element(f"{{{CONTROL_NS}}}{tag}", nsmap={None: CONTROL_NS})
    if text is not None:
        el.text = str(text)
    return el


def _slot(model: RouterModel, args: Mapping[str, str]) -> int:
    name = args.get("re", "")
    if name not in {f"re{s}" for s in model.chassis.res}:
        raise UnknownTargetError(f"unknown routing engine {name!r}: expected one of "
                                 + ", ".join(r.name for r in model.chassis.res.values()))
    return int(name[2:])


def _seconds(args: Mapping[str, str], name: str = "seconds") -> float:
    try:
        value = float(args.get(name, ""))
    except ValueError:
        raise UnknownTargetError(
            f"{name}: expected a number, got {args.get(name)!r}") from None
    if not 0 <= value <= MAX_ADVANCE:
        raise UnknownTargetError(f"{name}: expected 0..{MAX_ADVANCE:.0f}, got {value}")
    return value


def _clock(model: RouterModel) -> etree._Element:
    el = _el("clock")
    now = etree.SubElement(el, f"{{{CONTROL_NS}}}now")
    now.text = f"{model.clock.now():.3f}"
    return el


def _state(model: RouterModel) -> etree._Element:
    root = _el("state")
    for slot, r in model.chassis.res.items():
        re_el = etree.SubElement(root, f"{{{CONTROL_NS}}}routing-engine")
        for tag, value in (("slot", slot), ("state", r.state.value),
                           ("start-time", f"{r.start_time:.3f}")):
            etree.SubElement(re_el, f"{{{CONTROL_NS}}}{tag}").text = str(value)
    link = etree.SubElement(root, f"{{{CONTROL_NS}}}link")
    link.text = "up" if model.chassis.link_up else "down"
    pfe = etree.SubElement(root, f"{{{CONTROL_NS}}}pfe-resets")
    pfe.text = str(model.chassis.pfe_resets)
    return root


def _reset(model: RouterModel) -> ControlResult:
    """``reset-router``: a new router, so every session to it is dropped."""
    model.reset()
    return ControlResult([], drop=set(model.chassis.res))


def _done(effect: Callable[[], object]) -> ControlResult:
    """Run ``effect`` (a model change) and return the empty reply (``<ok/>``)."""
    effect()
    return ControlResult([])


def _advance(model: RouterModel, args: Mapping[str, str]) -> ControlResult:
    """``advance-clock``: by ``seconds``; with ``until-change``, on by further steps of
    ``seconds`` for as long as the router cannot have changed by itself, to at most
    ``until-change`` seconds in all (a wait's polls at which nothing can have changed).

    The reply's ``<changed>`` tells whether the router changed by itself on the way (a timer
    fired or a threshold was passed): ``false`` means every reply reads as before, but for
    continuous readings."""
    step = _seconds(args)
    within = _seconds(args, "until-change") if "until-change" in args else None
    now = model.clock.now()
    change = model.chassis.next_change()
    if within is None or step <= 0 or within <= step:
        span = step
    elif change is None:
        span = within
    else:
        # The first step that reaches the change (or the limit): the poll that would see it.
        span = min(within, max(1, math.ceil((change - now) / step - 1e-9)) * step)
    model.clock.advance_to(now + span)
    clock = _clock(model)
    changed = etree.SubElement(clock, f"{{{CONTROL_NS}}}changed")
    changed.text = "true" if change is not None and change <= now + span else "false"
    return ControlResult([clock])


def _actions(model: RouterModel, args: Mapping[str, str]
             ) -> dict[ControlRpc, Callable[[], ControlResult]]:
    """Return what each control RPC does; each runs only when called."""
    ch = model.chassis

    def slot() -> int:
        return _slot(model, args)

    return {
        ControlRpc.ADVANCE_CLOCK: lambda: _advance(model, args),
        ControlRpc.GET_CLOCK: lambda: ControlResult([_clock(model)]),
        ControlRpc.GET_STATE: lambda: ControlResult([_state(model)]),
        ControlRpc.SEVER_LINK: lambda: _done(ch.sever_link),
        ControlRpc.RESTORE_LINK: lambda: _done(ch.restore_link),
        ControlRpc.KILL_PROCESS: lambda: _done(
            lambda: ch.kill_process(slot(), args.get("name", ""))),
        ControlRpc.PULL_RE: lambda: _done(lambda: ch.pull(slot())),
        ControlRpc.INSERT_RE: lambda: _done(lambda: ch.insert(slot())),
        ControlRpc.CRASH_RE: lambda: _done(lambda: ch.crash(slot())),
        ControlRpc.HALT_RE: lambda: _done(lambda: ch.halt(slot(), Scope.LOCAL)),
        ControlRpc.POWER_ON_RE: lambda: _done(lambda: ch.power_on(slot())),
        ControlRpc.TRUNCATE_NEXT_REPLY: lambda: ControlResult([], truncate={slot()}),
        ControlRpc.DROP_SESSIONS: lambda: ControlResult([], drop={slot()}),
        ControlRpc.RESET_ROUTER: lambda: _reset(model),
    }


def run_control(model: RouterModel, name: str, args: Mapping[str, str]) -> ControlResult:
    """Run control RPC ``name``; return its reply.  One caller at a time per router.

    Raises UnknownTargetError for an RPC or argument the contract does not declare, or a bad
    argument value, and the model's errors (e.g. CommandRefusedError for ``halt-re`` of an RE
    that is not running); a refused control RPC changes nothing.
    """
    try:
        rpc = check_control(name, args)
    except ControlRpcError as exc:
        raise UnknownTargetError(str(exc)) from None
    return _actions(model, args)[rpc]()
