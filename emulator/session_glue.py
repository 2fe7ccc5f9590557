"""The byte pump between an SSH channel and a sans-IO :class:`NetconfSession`.

It is the only place where the NETCONF session, the dispatcher and the channel meet: it reads
bytes, feeds the session, runs each RPC under the router's lock, writes the reply, and applies
the wire-level faults (truncate the next reply, drop the session) the control RPCs asked for.
"""

from __future__ import annotations

import logging
import threading

import paramiko
from lxml import etree

from emulator.commands.dispatch import Dispatcher
from emulator.commands.table import CommandContext
from emulator.commands.xmlutil import junos_ns
from emulator.model.router import RouterModel
from emulator.netconf.session import NetconfSession, RpcReply
from emulator.ssh import User

__all__ = ["NetconfChannelRunner"]

log = logging.getLogger(__name__)

RECV_SIZE = 65536


class NetconfChannelRunner:
    """Runs one NETCONF session on one channel to RE ``slot`` of ``model``."""

    def __init__(
        self, channel: paramiko.Channel, model: RouterModel, slot: int, user: User,
        session_id: int, on_change: object, pinned: bool = False,
    ) -> None:
        self.channel = channel
        self.model = model
        self.slot = slot
        self.user = user
        self.session_id = session_id
        self._on_change = on_change
        #: Control sessions are pinned: they survive their RE going down.
        self.pinned = pinned
        self._dispatcher = Dispatcher(model)
        with model.lock:
            self._boot_stamp = model.chassis.re(slot).start_time
            version = model.chassis.re(slot).hardware.version
            self._epoch = model.session_epoch[slot]
        self._ctx = CommandContext(model, slot, user.name, extra={"session_id": session_id})
        self._closed = threading.Event()
        self.session = NetconfSession(
            session_id, self._handle, reply_nsmap={"junos": junos_ns(version)},
            hello_preamble=f"<!-- user {user.name}, class super-user -->",
        )

    def re_still_up(self) -> bool:
        """Return True while the RE this session lives on has not gone down or rebooted."""
        if self.pinned:
            return True
        with self.model.lock:
            r = self.model.chassis.re(self.slot)
            return (r.alive and r.start_time == self._boot_stamp
                    and self.model.session_epoch[self.slot] == self._epoch)

    def close(self) -> None:
        """Close the channel (the peer sees the session end, as when an RE goes away) and
        release the configuration lock the session held, if any."""
        self._closed.set()
        try:
            if not self.channel.closed:
                # As sshd does when a subsystem ends: OpenSSH's client exits 0, not 255.
                self.channel.send_exit_status(0)
            self.channel.close()
        except (EOFError, OSError, paramiko.SSHException) as exc:
            # The client went away first (it hung up without <close-session/>): nothing to
            # tell it, and the session's resources are released below all the same.
            log.debug("session %s: channel already gone: %r", self.session_id, exc)
        with self.model.lock:
            for db in self.model.configs.values():
                db.release_session(self.session_id)

    def run(self) -> None:
        """Pump until the session or the channel closes."""
        self.session.start()
        self._flush()
        while not self.session.closed and not self._closed.is_set():
            data = self.channel.recv(RECV_SIZE)
            self.session.receive_data(data)
            self._flush()
            if not data:
                break
            self._after_rpc()
        self.close()

    def _after_rpc(self) -> None:
        callback = self._on_change
        if callable(callback):
            callback()

    def _flush(self) -> None:
        out = self.session.data_to_send()
        if not out:
            return
        with self.model.lock:
            truncate = self.slot in self.model.truncate_next
            self.model.truncate_next.discard(self.slot)
        if truncate:
            # Fault: the reply is cut in the middle and the connection dies (a reboot's reply).
            self.channel.sendall(out[: max(1, len(out) // 2)])
            self.close()
            return
        self.channel.sendall(out)

    def _handle(self, op: etree._Element) -> RpcReply:
        with self.model.lock:
            result = self._dispatcher.dispatch(self._ctx, op, control=self.user.control)
        return RpcReply(body=result.body, errors=result.errors, ok=result.ok)
