"""What the NETCONF core hands its caller, and the session state table (RFC 6241 section 8.1).

``NetconfSession.next_event()`` returns one of the :data:`Event` records; the ones that need an
answer (:class:`RpcReceived`, :class:`RpcRejected`, :class:`CloseRequested`) are handed back to
``NetconfSession.reply()`` with the caller's :class:`RpcReply`.  The state machine is the table
:data:`TRANSITIONS` plus :func:`next_state`, which raises ``ProtocolError`` for a pair not in the
table (the shape of h11's ``_state.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from emulator.netconf.errors import ProtocolError, RpcError

__all__ = [
    "TRANSITIONS",
    "CloseRequested",
    "Event",
    "HelloReceived",
    "PeerEOF",
    "Request",
    "RpcReceived",
    "RpcRejected",
    "RpcReply",
    "SessionState",
    "Violation",
    "next_state",
]


class SessionState(Enum):
    """Where a session is (RFC 6241 section 8.1: hellos first, then RPCs, then closed)."""

    AWAIT_HELLO = "await-hello"
    ESTABLISHED = "established"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class HelloReceived:
    """A well-formed client ``<hello>`` with a base capability and no session-id."""

    capabilities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RpcReceived:
    """An ``<rpc>`` with one operation: the caller dispatches ``operation``.

    ``attributes`` are the ``<rpc>`` attributes (message-id, when the client sent one), echoed
    on the reply (RFC 6241 section 4.2).  ``template``, when set, is the request's bytes with
    the message-id's value cut out (:class:`~emulator.netconf.messages.RequestMemo`): two
    requests with the same template ask the same thing, and share one ``operation`` tree, to
    be read only; :meth:`own_operation` returns one to change.
    """

    attributes: Mapping[str, str]
    operation: etree._Element
    template: bytes | None = None

    def own_operation(self) -> etree._Element:
        """Return ``operation``, copied (in a copy of its ``<rpc>``, so that the namespaces
        the request declared stay in scope) when requests of one template share it."""
        if self.template is None:
            return self.operation
        rpc = self.operation.getparent()
        if rpc is None:
            return copy.deepcopy(self.operation)
        rpc = copy.deepcopy(rpc)
        rpc.attrib.update(self.attributes)
        return next(rpc.iterchildren(tag=etree.Element))


@dataclass(frozen=True, slots=True)
class RpcRejected:
    """A message the core refuses itself (not well-formed, not an ``<rpc>``, not exactly one
    operation, ``<kill-session>``); answer it with ``error``."""

    attributes: Mapping[str, str]
    error: RpcError


@dataclass(frozen=True, slots=True)
class CloseRequested:
    """A valid ``<rpc>`` whose operation is ``<close-session/>`` (RFC 6241 section 7.8): the
    session is CLOSED; answer it with ``<ok/>`` and then close the channel."""

    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PeerEOF:
    """The peer closed its side of the channel: the session is CLOSED, nothing to answer."""


@dataclass(frozen=True, slots=True)
class Violation:
    """The peer broke the protocol (framing, hello or sequencing); ``reason`` says how.  The
    session is CLOSED without a reply (RFC 6241 section 8.1 for a bad hello)."""

    reason: str


Event = HelloReceived | RpcReceived | RpcRejected | CloseRequested | PeerEOF | Violation

#: The events :meth:`NetconfSession.reply` answers.
Request = RpcReceived | RpcRejected | CloseRequested


@dataclass(slots=True)
class RpcReply:
    """The caller's answer to a request; the session wraps it in ``<rpc-reply>``.

    ``errors`` are rendered before ``body`` (Junos puts a "Could not connect to re0" error before
    the data); ``<ok/>`` follows the body if ``ok`` is set, or if body and errors are both empty.
    """

    body: list[etree._Element] = field(default_factory=list)
    errors: list[RpcError] = field(default_factory=list)
    ok: bool = False
    #: Character data of ``<rpc-reply>`` itself: Junos's JSON replies (``format="json"``).
    text: str | None = None


_S = SessionState

#: Every legal (state, event type) pair and the state it leads to; anything else is illegal.
TRANSITIONS: Mapping[tuple[SessionState, type[Event]], SessionState] = {
    (_S.AWAIT_HELLO, HelloReceived): _S.ESTABLISHED,
    (_S.AWAIT_HELLO, PeerEOF): _S.CLOSED,
    (_S.AWAIT_HELLO, Violation): _S.CLOSED,
    (_S.ESTABLISHED, RpcReceived): _S.ESTABLISHED,
    (_S.ESTABLISHED, RpcRejected): _S.ESTABLISHED,
    (_S.ESTABLISHED, CloseRequested): _S.CLOSED,
    (_S.ESTABLISHED, PeerEOF): _S.CLOSED,
    (_S.ESTABLISHED, Violation): _S.CLOSED,
}


def next_state(state: SessionState, event: Event) -> SessionState:
    """Return the state ``event`` leads to from ``state``.

    Raises ``ProtocolError`` if the pair is not in ``TRANSITIONS`` (e.g. an ``<rpc>`` before
    the hello, a second hello, or anything after CLOSED).
    """
    try:
        return TRANSITIONS[(state, type(event))]
    except KeyError:
        raise ProtocolError(
            f"{type(event).__name__} is illegal in state {state.name}"
        ) from None
