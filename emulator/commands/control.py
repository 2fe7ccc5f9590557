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
        raise UnknownTargetError(
            f"seconds: expected a number, got {args.get('seconds')!r}") from None
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


def _done(effect: Callable[[], object]) -> ControlResult:
    """Run ``effect`` (a model change) and return the empty reply (``<ok/>``)."""
    effect()
    return ControlResult([])


def _advance(model: RouterModel, args: Mapping[str, str]) -> ControlResult:
    model.clock.advance(_seconds(args))
    return ControlResult([_clock(model)])


def _actions(model: RouterModel, args: Mapping[str, str]
             ) -> dict[str, Callable[[], ControlResult]]:
    """Return the control RPCs by name; each runs only when called."""
    ch = model.chassis

    def slot() -> int:
        return _slot(model, args)

    return {
        "advance-clock": lambda: _advance(model, args),
        "get-clock": lambda: ControlResult([_clock(model)]),
        "get-state": lambda: ControlResult([_state(model)]),
        "sever-link": lambda: _done(ch.sever_link),
        "restore-link": lambda: _done(ch.restore_link),
        "kill-process": lambda: _done(lambda: ch.kill_process(slot(), args.get("name", ""))),
        "pull-re": lambda: _done(lambda: ch.pull(slot())),
        "insert-re": lambda: _done(lambda: ch.insert(slot())),
        "crash-re": lambda: _done(lambda: ch.crash(slot())),
        "halt-re": lambda: _done(lambda: ch.halt(slot(), Scope.LOCAL)),
        "power-on-re": lambda: _done(lambda: ch.power_on(slot())),
        "truncate-next-reply": lambda: _done(lambda: model.truncate_next.add(slot())),
        "drop-sessions": lambda: _drop(model, slot()),
        "reset-router": lambda: _done(model.reset),
    }


def run_control(model: RouterModel, name: str, args: Mapping[str, str]) -> ControlResult:
    """Run control RPC ``name``; return its reply.  Caller holds ``model.lock``.

    Raises UnknownTargetError for an unknown RPC or a bad argument, and the model's errors
    (e.g. CommandRefusedError for ``halt-re`` of an RE that is not running); a refused
    control RPC changes nothing.
    """
    actions = _actions(model, args)
    action = actions.get(name)
    if action is None:
        raise UnknownTargetError(f"unknown control RPC {name!r}: expected one of "
                                 + ", ".join(sorted(actions)))
    return action()
