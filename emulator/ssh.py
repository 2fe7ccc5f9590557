"""The SSH face of one Routing Engine: a paramiko ``ServerInterface`` that denies by default.

Only what a Junos RE offers is allowed: password authentication against the router's users,
``session`` channels, the ``netconf`` subsystem (RFC 6242), the ``xml-mode netconf
need-trailer`` exec that ncclient's Junos handler falls back to (NOTES.md section 2), and an
interactive shell (the Junos CLI) when a shell handler is given.  Everything else keeps
paramiko's default refusal.  The byte pumps live here; the protocol lives in the sans-IO
``emulator.netconf`` and ``emulator.cli`` packages.
"""

from __future__ import annotations

import hmac
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import paramiko

__all__ = ["ChannelHandler", "REServerInterface", "User", "make_host_key", "serve_connection"]

log = logging.getLogger(__name__)

#: ``handler(channel, username)`` runs a protocol on an accepted channel, in its own thread.
ChannelHandler = Callable[[paramiko.Channel, str], None]

#: Junos's ncclient fallback when the subsystem request fails (NOTES.md section 2).
NETCONF_EXEC = "xml-mode netconf need-trailer"


@dataclass(frozen=True, slots=True)
class User:
    """A login of the emulated router.  ``control`` users may send emulator control RPCs."""

    name: str
    password: str
    control: bool = False

    def __repr__(self) -> str:
        return f"User(name={self.name!r}, password='***', control={self.control})"


def make_host_key() -> paramiko.PKey:
    """Return a fresh ephemeral host key (ECDSA P-256: fast to generate, no key on disk)."""
    return paramiko.ECDSAKey.generate(bits=256)


class REServerInterface(paramiko.ServerInterface):
    """Policy of one SSH connection to an RE; every override states what it allows."""

    def __init__(
        self,
        users: Mapping[str, User],
        netconf: ChannelHandler,
        shell: ChannelHandler | None = None,
    ) -> None:
        self._users = users
        self._netconf = netconf
        self._shell = shell
        self.username: str | None = None

    # Authentication: password only (default would allow nothing at all).
    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        user = self._users.get(username)
        if user is not None and hmac.compare_digest(user.password.encode(), password.encode()):
            self.username = username
            return paramiko.common.AUTH_SUCCESSFUL
        return paramiko.common.AUTH_FAILED

    # Channels: only "session" (default: refuse every kind).
    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.common.OPEN_SUCCEEDED
        return paramiko.common.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        if name != "netconf" or self.username is None:
            return False
        self._start(self._netconf, channel, "netconf")
        return True

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        if command.decode(errors="replace").strip() != NETCONF_EXEC or self.username is None:
            return False
        self._start(self._netconf, channel, "netconf-exec")
        return True

    def check_channel_pty_request(self, channel: paramiko.Channel, term: bytes, width: int,
                                  height: int, pixelwidth: int, pixelheight: int,
                                  modes: bytes) -> bool:
        # A terminal is accepted only where there is a CLI to run in it.
        return self._shell is not None

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        if self._shell is None or self.username is None:
            return False
        self._start(self._shell, channel, "cli")
        return True

    def _start(self, handler: ChannelHandler, channel: paramiko.Channel, what: str) -> None:
        user = self.username or ""

        def run() -> None:
            try:
                handler(channel, user)
            except (OSError, EOFError, paramiko.SSHException) as exc:
                log.info("%s channel for %s ended: %s", what, user, exc)
            finally:
                try:
                    channel.close()
                except (OSError, EOFError, paramiko.SSHException) as exc:
                    # The client may already be gone; the channel is closed either way.
                    log.debug("%s channel close: %s", what, exc)

        threading.Thread(target=run, name=f"re-{what}-{user}", daemon=True).start()


def serve_connection(
    sock: socket.socket, host_key: paramiko.PKey, interface: REServerInterface,
    *, handshake_timeout: float = 15.0,
) -> paramiko.Transport | None:
    """Run the SSH server side on an accepted socket; return the transport, or None on failure.

    Sets TCP_NODELAY (Nagle otherwise adds ~40 ms to each exchange of small packets).
    """
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    transport = paramiko.Transport(sock)
    transport.add_server_key(host_key)
    transport.handshake_timeout = handshake_timeout
    try:
        transport.start_server(server=interface)
    except (paramiko.SSHException, EOFError, OSError) as exc:
        log.info("SSH negotiation failed: %s", exc)
        transport.close()
        return None
    return transport
