"""The NETCONF face of one channel: bytes from the client into the sans-IO core, each RPC
dispatched through the router's runtime, each reply back to the client.

Nothing here knows the SSH library: the channel is a :class:`~emulator.runtime.Link`.  The face
pulls events from the core only while the client drains its replies and the router is not held
(:class:`~emulator.face.Face`), so a client that stops reading stops being served (and is
dropped at the send deadline) without touching anyone else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from lxml import etree

from emulator.commands.table import CommandContext
from emulator.commands.xmlutil import junos_ns
from emulator.face import Face
from emulator.netconf import (
    JUNOS_CAPABILITIES,
    CloseRequested,
    Event,
    HelloReceived,
    NetconfSession,
    PeerEOF,
    RpcError,
    RpcReceived,
    RpcRejected,
    RpcReply,
    SessionState,
    Violation,
    local_name,
)
from emulator.runtime import Link, RouterRuntime
from emulator.ssh import User

__all__ = ["NetconfFace"]

log = logging.getLogger(__name__)


class NetconfFace(Face):
    """One NETCONF session on one channel to RE ``slot`` of a router; a ``pinned`` (control)
    session survives its RE going down."""

    def __init__(self, link: Link, runtime: RouterRuntime, slot: int, user: User,
                 session_id: int, *, pinned: bool = False,
                 capabilities: Sequence[str] = JUNOS_CAPABILITIES) -> None:
        super().__init__(link, runtime, slot, pinned=pinned)
        self.user = user
        self.session_id = session_id
        self.kind = f"NETCONF session {session_id}"
        version = runtime.model.chassis.re(slot).hardware.version
        self._ctx = CommandContext(runtime.model, slot, user.name,
                                   extra={"session_id": session_id})
        self.core = NetconfSession(session_id, capabilities=capabilities,
                                   reply_nsmap={"junos": junos_ns(version)},
                                   hello_preamble=f"<!-- user {user.name}, class super-user -->",
                                   max_message_size=runtime.limits.max_message_size,
                                   memo=runtime.requests)
        self._hello_timer: asyncio.TimerHandle | None = None
        #: What a kept reply of this session depends on besides the request (and the state).
        self._reply_scope = (slot, user.name, user.control, self.core.reply_namespaces)

    def start(self) -> None:
        """Send the server hello; the session is now reaped with its RE, and must see the
        client hello within ``Limits.hello_timeout``."""
        self.runtime.attach(self)
        self.link.write(self.core.start())
        self._touch()
        timeout = self.runtime.limits.hello_timeout
        if timeout is not None:
            self._hello_timer = self.runtime.loop.call_later(timeout, self._no_hello)

    def data_received(self, data: bytes) -> None:
        """Take bytes from the client and answer every whole request there is."""
        self._touch()
        self.core.receive_data(data)
        self.pump()
        if not self.closed:
            self._hold_input(self.core.buffered)

    def eof_received(self) -> None:
        """The client closed its side: answer what it sent before, then close."""
        self.core.receive_data(b"")
        self.pump()

    def pump(self) -> None:
        """Pull events from the core and answer them, while :meth:`_held` allows."""
        while not self.closed:
            if self._held():
                return
            event = self.core.next_event()
            if event is None:
                break
            self._handle(event)
        self._read_again()

    def close(self) -> None:
        """End the session, whatever ended it: the configuration locks it held are released and
        its uncommitted changes discarded (Junos on a session's end), then the client sees the
        channel close (exit status 0, as sshd when a subsystem ends)."""
        if self.closed:
            return
        if self._hello_timer is not None:
            self._hello_timer.cancel()
        try:
            for db in self.runtime.model.configs.values():
                db.release_session(self.session_id)
        finally:
            self.runtime.version += 1  # locks released, uncommitted changes discarded
            super().close()

    def _no_hello(self) -> None:
        self._hello_timer = None
        if self.core.state is SessionState.AWAIT_HELLO:
            log.info("%s: no client hello within %.0f s; closing", self.kind,
                     self.runtime.limits.hello_timeout or 0)
            self.close()

    def _handle(self, event: Event) -> None:
        if isinstance(event, HelloReceived):
            self._hello()
        if isinstance(event, RpcReceived):
            reply = self._answer(event)
            self._acknowledge(lambda: self._send(reply))
        elif isinstance(event, RpcRejected):
            self._send(self.core.reply(event))
        elif isinstance(event, CloseRequested):
            self.link.write(self.core.reply(event))
            self.close()
        elif isinstance(event, PeerEOF | Violation):
            log.info("%s closed: %s", self.kind, self.core.close_reason)
            self.close()

    def _hello(self) -> None:
        """The client hello arrived: stop its timer; log the framing the session now speaks."""
        if self._hello_timer is not None:
            self._hello_timer.cancel()
            self._hello_timer = None
        log.info("%s re%d %s: client hello; framing %s (base:%s)", self.runtime.name,
                 self.slot, self.kind, self.core.framing.name.lower(),
                 self.core.framing.value)

    def _answer(self, event: RpcReceived) -> bytes:
        """Return the framed reply to ``event``: the reply kept for the same request in the
        same state of the router when a read-only row answered it (:class:`ReplyCache`), else
        the router's answer, kept when its row only reads."""
        cache = self.runtime.replies
        if cache is None or not self.core.takes_document(event):
            return self.core.reply(event, self._dispatch(event.own_operation())[0])
        request = (("template", event.template) if event.template is not None
                   else ("operation", etree.tostring(event.operation, with_tail=False)))
        key = (self._reply_scope, request)
        document = cache.get(self.runtime.version, key)
        if document is None:
            reply, read_only = self._dispatch(event.own_operation())
            document = self.core.document(reply)
            if read_only:
                cache.put(self.runtime.version, key, document)
        return self.core.reply_with(event, document)

    def _dispatch(self, op: etree._Element) -> tuple[RpcReply, bool]:
        """Return the router's reply to ``op`` and whether its row only read the model.  A
        handler crash is recorded as a server error (it fails the test that caused it) and
        answered as an internal error."""
        try:
            result = self.runtime.dispatch(self._ctx, op, control=self.user.control)
        except RpcError as exc:
            return RpcReply(errors=[exc]), False
        except Exception as exc:  # recorded with its traceback, answered, never lost
            where = f"{self.runtime.name} re{self.slot} {self.kind}, <{local_name(op)}>"
            self.runtime.errors.record(where, exc)
            return RpcReply(errors=[RpcError.internal(exc)]), False
        reply = RpcReply(body=result.body, errors=result.errors, ok=result.ok, text=result.text)
        return reply, result.read_only

    def _send(self, data: bytes) -> None:
        if not self.pinned and self.runtime.take_truncate(self.slot):
            # Fault: the reply is cut in the middle and the connection dies (a reboot's reply).
            self.link.write(data[: max(1, len(data) // 2)])
            self.disconnect()
            return
        self.link.write(data)
