"""The emulator-only control RPCs: one declaration for the emulator and the harness.

DESIGN.md "Time and faults": suites make time pass and faults happen over the wire, as RPCs in
an emulator-only XML namespace, accepted only from the control user::

    <advance-clock xmlns="urn:re-emulator:control:1"><seconds>300</seconds></advance-clock>
                                         -> <clock><now>epoch</now><changed>false</changed>
                                         (changed: whether the router changed by itself)
    <advance-clock><seconds>5</seconds><until-change>200</until-change></advance-clock>
                                         by 5 s steps until the router may have changed by
                                         itself, 200 s at most (a wait's quiet polls skipped)
    <get-clock/>                         -> <clock><now>epoch</now></clock>
    <sever-link/> <restore-link/>        inter-RE keepalive link (fxp1/fxp2, em0/bcm0)
    <kill-process><re>re0</re><name>rpd</name></kill-process>
    <pull-re><re>re0</re></pull-re>  <insert-re><re>re0</re></insert-re>
    <crash-re><re>re0</re></crash-re>  <halt-re><re>re1</re></halt-re>
    <power-on-re><re>re1</re></power-on-re>
    <truncate-next-reply><re>re0</re></truncate-next-reply>
    <drop-sessions><re>re0</re></drop-sessions>
    <get-state/>                         -> per-RE state, for diagnostics
    <reset-router/>                      the router as new (fresh logs, configuration, roles)

The harness builds requests with :func:`control_request`; the emulator checks what it receives
with :func:`check_control`.  Both refuse a name or argument not declared here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from lxml import etree

from re_contract.errors import ControlRpcError

__all__ = [
    "CONTROL_NS",
    "CONTROL_RPCS",
    "ControlRpc",
    "ControlSignature",
    "check_control",
    "control_request",
    "fault_rpcs",
]

#: The XML namespace of every control RPC and of the elements of their replies.
CONTROL_NS = "urn:re-emulator:control:1"


class ControlRpc(StrEnum):
    """The control RPCs; the value is the element name on the wire."""

    ADVANCE_CLOCK = "advance-clock"
    GET_CLOCK = "get-clock"
    GET_STATE = "get-state"
    SEVER_LINK = "sever-link"
    RESTORE_LINK = "restore-link"
    KILL_PROCESS = "kill-process"
    PULL_RE = "pull-re"
    INSERT_RE = "insert-re"
    CRASH_RE = "crash-re"
    HALT_RE = "halt-re"
    POWER_ON_RE = "power-on-re"
    TRUNCATE_NEXT_REPLY = "truncate-next-reply"
    DROP_SESSIONS = "drop-sessions"
    RESET_ROUTER = "reset-router"

    @property
    def fault_name(self) -> str:
        """Return the name the harness's fault layer gives it (``sever-link`` -> ``sever_link``)."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class ControlSignature:
    """What a control RPC takes (child element names) and whether it is a fault."""

    arguments: tuple[str, ...] = ()
    fault: bool = False


_RE = ("re",)
#: Every control RPC with its signature.
CONTROL_RPCS: Mapping[ControlRpc, ControlSignature] = MappingProxyType({
    ControlRpc.ADVANCE_CLOCK: ControlSignature(("seconds", "until-change")),
    ControlRpc.GET_CLOCK: ControlSignature(),
    ControlRpc.GET_STATE: ControlSignature(),
    ControlRpc.RESET_ROUTER: ControlSignature(),
    ControlRpc.SEVER_LINK: ControlSignature(fault=True),
    ControlRpc.RESTORE_LINK: ControlSignature(fault=True),
    ControlRpc.KILL_PROCESS: ControlSignature(("re", "name"), fault=True),
    ControlRpc.PULL_RE: ControlSignature(_RE, fault=True),
    ControlRpc.INSERT_RE: ControlSignature(_RE, fault=True),
    ControlRpc.CRASH_RE: ControlSignature(_RE, fault=True),
    ControlRpc.HALT_RE: ControlSignature(_RE, fault=True),
    ControlRpc.POWER_ON_RE: ControlSignature(_RE, fault=True),
    ControlRpc.TRUNCATE_NEXT_REPLY: ControlSignature(_RE, fault=True),
    ControlRpc.DROP_SESSIONS: ControlSignature(_RE, fault=True),
})


def fault_rpcs() -> dict[str, ControlRpc]:
    """Return the control RPCs that make faults, by fault name (``sever_link``, ...)."""
    return {rpc.fault_name: rpc for rpc, sig in CONTROL_RPCS.items() if sig.fault}


def check_control(name: str, arguments: Iterable[str] = ()) -> ControlRpc:
    """Return the control RPC called ``name`` after checking its argument names.

    Raises:
        ControlRpcError: ``name`` is no control RPC, or an argument is not one it takes; the
            message lists what is declared.
    """
    try:
        rpc = ControlRpc(name)
    except ValueError:
        known = ", ".join(sorted(r.value for r in ControlRpc))
        raise ControlRpcError(
            f"unknown control RPC {name[:64]!r}: expected one of {known}") from None
    allowed = CONTROL_RPCS[rpc].arguments
    for argument in arguments:
        if argument not in allowed:
            takes = ", ".join(allowed) or "no arguments"
            raise ControlRpcError(
                f"{rpc.value}: unknown argument {argument[:64]!r}: expected {takes}")
    return rpc


def control_request(rpc: ControlRpc | str, **arguments: object) -> etree._Element:
    """Return the request element of ``rpc`` with one text child per argument.

    Keyword names may use ``_`` for ``-``.

    Raises:
        ControlRpcError: an RPC or argument not declared in :data:`CONTROL_RPCS`.
    """
    children = {key.replace("_", "-"): value for key, value in arguments.items()}
    checked = check_control(rpc.value if isinstance(rpc, ControlRpc) else rpc, children)
    el = etree.Element(f"{{{CONTROL_NS}}}{checked.value}", nsmap={None: CONTROL_NS})
    for name, value in children.items():
        etree.SubElement(el, f"{{{CONTROL_NS}}}{name}").text = str(value)
    return el
