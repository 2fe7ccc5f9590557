"""Emulator-only control RPCs (namespace :data:`CONTROL_NS`), accepted only from control users.

DESIGN.md "Time and faults": suites make time pass and faults happen over the wire, like
everything else; the harness's clock and fault interface send these.

    <advance-clock xmlns="urn:re-emulator:control:1"><seconds>300</seconds></advance-clock>
    <get-clock/>                         -> <clock><now>epoch</now></clock>
    <sever-link/> <restore-link/>        inter-RE keepalive link (fxp1/fxp2, em0/bcm0)
    <kill-process><re>re0</re><name>rpd</name></kill-process>
    <pull-re><re>re0</re></pull-re>  <insert-re><re>re0</re></insert-re>
    <crash-re><re>re0</re></crash-re>  <halt-re><re>re1</re></halt-re>
    <power-on-re><re>re1</re></power-on-re>
    <truncate-next-reply><re>re0</re></truncate-next-reply>
    <drop-sessions><re>re0</re></drop-sessions>
    <get-state/>                         -> per-RE state, for diagnostics
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lxml import etree

from emulator.model.chassis import Scope
from emulator.model.errors import UnknownTargetError
from emulator.model.router import RouterModel

__all__ = ["CONTROL_NS", "ControlResult", "run_control"]

CONTROL_NS = "urn:re-emulator:control:1"
#: The longest single advance accepted (30 days): bounds the work one RPC can cause.
MAX_ADVANCE = 30 * 86400.0


class ControlResult:
    """Reply body of a control RPC plus the session-level effects the face must apply."""

    def __init__(self, body: list[etree._Element], drop: set[int] | None = None) -> None:
        self.body = body
        self.drop = drop or set()


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


def _seconds(args: Mapping[str, str]) -> float:
    try:
        value = float(args.get("seconds", ""))
    except ValueError:
        raise UnknownTargetError(f"seconds: expected a number, got {args.get('seconds')!r}")
    if not 0 <= value <= MAX_ADVANCE:
        raise UnknownTargetError(f"seconds: expected 0..{MAX_ADVANCE:.0f}, got {value}")
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


def _drop(model: RouterModel, slot: int) -> ControlResult:
    model.session_epoch[slot] += 1
    return ControlResult([], drop={slot})


def run_control(model: RouterModel, name: str, args: Mapping[str, str]) -> ControlResult:
    """Run control RPC ``name``; return its reply.  Caller holds ``model.lock``.

    Raises UnknownTargetError for an unknown RPC or a bad argument, and the model's errors.
    """
    ch = model.chassis
    actions: dict[str, Callable[[], ControlResult]] = {
        "advance-clock": lambda: (model.clock.advance(_seconds(args)),
                                  ControlResult([_clock(model)]))[1],
        "get-clock": lambda: ControlResult([_clock(model)]),
        "get-state": lambda: ControlResult([_state(model)]),
        "sever-link": lambda: (ch.sever_link(), ControlResult([]))[1],
        "restore-link": lambda: (ch.restore_link(), ControlResult([]))[1],
        "kill-process": lambda: (ch.kill_process(_slot(model, args), args.get("name", "")),
                                 ControlResult([]))[1],
        "pull-re": lambda: (ch.pull(_slot(model, args)), ControlResult([]))[1],
        "insert-re": lambda: (ch.insert(_slot(model, args)), ControlResult([]))[1],
        "crash-re": lambda: (ch.crash(_slot(model, args)), ControlResult([]))[1],
        "halt-re": lambda: (ch.halt(_slot(model, args), Scope.LOCAL), ControlResult([]))[1],
        "power-on-re": lambda: (ch.power_on(_slot(model, args)), ControlResult([]))[1],
        "truncate-next-reply": lambda: (model.truncate_next.add(_slot(model, args)),
                                        ControlResult([]))[1],
        "drop-sessions": lambda: _drop(model, _slot(model, args)),
        "reset-router": lambda: (model.reset(), ControlResult([]))[1],
    }
    action = actions.get(name)
    if action is None:
        raise UnknownTargetError(f"unknown control RPC {name!r}: expected one of "
                                 + ", ".join(sorted(actions)))
    return action()
