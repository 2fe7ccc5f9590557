"""Listeners and lifecycle (the ``re-emulator`` command is :mod:`emulator.app`).

One :class:`EmulatorServer` serves any number of routers (a fleet testbed).  Each Routing Engine
listens on its own address (its fxp0), an optional master-only address reaches whichever RE is
master when the connection arrives, and everything a client does goes through SSH and NETCONF
(or the CLI) exactly as on hardware.
"""

from __future__ import annotations

import itertools
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from emulator.cli_glue import CliChannelRunner
from emulator.console import ConsoleConnection
from emulator.model.clock import DEFAULT_EPOCH, VirtualClock
from emulator.model.router import RouterModel, RouterParams
from emulator.session_glue import NetconfChannelRunner
from emulator.ssh import REServerInterface, User, make_host_key, serve_connection
from emulator.state import StateDir
from re_contract.listeners import CONTROL, MASTER

#: Prefix of the console listeners' names in the selector (``console:re0``).
CONSOLE = "console:"

#: How often ``--state-dir`` saves the routers while serving (seconds of wall time).
SAVE_EVERY = 30.0

__all__ = ["CONSOLE", "SAVE_EVERY", "Endpoint", "EmulatorServer", "RouterEntry", "TimeMode"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A listening address: router name, RE name (``re0``/``re1``/``master``), host, port."""

    router: str
    re: str
    host: str
    port: int

    def line(self) -> str:
        """Return ``<router> <re> <host>:<port>`` as ``re-emulator serve`` prints it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.router} {self.re} {host}:{self.port}"


@dataclass(slots=True)
class RouterEntry:
    """A router to serve: its model parameters, its users and where its REs listen."""

    params: RouterParams
    users: list[User]
    listen: dict[str, tuple[str, int]]  # "re0"/"re1"/"master" -> (host, port)
    model: RouterModel | None = None
    sessions: list[NetconfChannelRunner | CliChannelRunner] = field(default_factory=list)
    #: Console ports: "re0"/"re1" -> (host, port) (a raw TCP terminal, as a terminal server).
    consoles: dict[str, tuple[str, int]] = field(default_factory=dict)
    console_clients: list[ConsoleConnection] = field(default_factory=list)


class TimeMode:
    """``virtual``: time moves only by control RPC.  ``real``: it follows the wall clock."""

    VIRTUAL = "virtual"
    REAL = "real"


class EmulatorServer:
    """Serves routers over SSH on loopback (or any given address) until :meth:`stop`."""

    def __init__(self, routers: Sequence[RouterEntry], *, time_mode: str = TimeMode.VIRTUAL,
                 state_dir: str | Path | None = None) -> None:
        """Build every router's model; with ``state_dir``, from what was saved there.

        Raises StateError for a saved state that cannot be read or applied.
        """
        self.routers = list(routers)
        self.time_mode = time_mode
        self.host_key = make_host_key()
        self._selector = selectors.DefaultSelector()
        self._listeners: list[socket.socket] = []
        self.endpoints: list[Endpoint] = []
        #: Console listeners (``re`` is the RE the console belongs to).
        self.consoles: list[Endpoint] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._session_ids = itertools.count(1000)
        self.state = StateDir(state_dir) if state_dir is not None else None
        for entry in self.routers:
            entry.model = self._build_model(entry)

    def _build_model(self, entry: RouterEntry) -> RouterModel:
        state = self.state
        saved = state.load(entry.params.name) if state is not None else None
        if state is None or saved is None:
            # Real time reads like a real router's clock (its logs show today's date); virtual
            # time starts at a fixed epoch so runs are reproducible.
            start = time.time() if self.time_mode == TimeMode.REAL else DEFAULT_EPOCH
            return RouterModel(entry.params, VirtualClock(start))
        model = RouterModel(entry.params, VirtualClock(saved.clock))
        StateDir.restore(model, saved)
        log.info("router %s restored from %s", entry.params.name, state.path)
        return model

    def save_state(self) -> None:
        """Save every router to the state directory (no-op without one).  Raises OSError."""
        if self.state is None:
            return
        for entry in self.routers:
            if entry.model is not None:
                self.state.save(entry.model)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> list[Endpoint]:
        """Bind every listener (port 0 = a free port), start serving; return the endpoints.

        Raises OSError when an address cannot be bound (nothing is left listening).
        """
        try:
            for entry in self.routers:
                for re_name, (host, port) in entry.listen.items():
                    self.endpoints.append(self._listen(entry, re_name, host, port))
                for re_name, (host, port) in entry.consoles.items():
                    ep = self._listen(entry, CONSOLE + re_name, host, port)
                    self.consoles.append(Endpoint(ep.router, re_name, ep.host, ep.port))
        except OSError:
            self._close_listeners()
            raise
        self._spawn(self._accept_loop, "re-emulator-accept")
        if self.time_mode == TimeMode.REAL:
            self._spawn(self._pace_clocks, "re-emulator-clock")
        if self.state is not None:
            self._spawn(self._save_periodically, "re-emulator-state")
        return list(self.endpoints)

    def stop(self) -> None:
        """Stop accepting, close every session and join the server threads."""
        self._stop.set()
        self._close_listeners()
        for entry in self.routers:
            for runner in list(entry.sessions):
                runner.close()
            for client in list(entry.console_clients):
                client.close()
        for t in self._threads:
            t.join(timeout=5)
        try:
            self.save_state()
        except OSError as exc:
            log.error("could not save the routers' state: %s", exc)

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def router(self, name: str) -> RouterModel:
        """Return the model of router ``name`` (for the in-process fixture's diagnostics only)."""
        for entry in self.routers:
            if entry.params.name == name and entry.model is not None:
                return entry.model
        raise KeyError(name)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _listen(self, entry: RouterEntry, re_name: str, host: str, port: int) -> Endpoint:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(64)
        sock.setblocking(False)
        self._listeners.append(sock)
        self._selector.register(sock, selectors.EVENT_READ, (entry, re_name))
        return Endpoint(entry.params.name, re_name, host, sock.getsockname()[1])

    def _close_listeners(self) -> None:
        for sock in self._listeners:
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        self._listeners.clear()

    # ---------------------------------------------------------------- accept
    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                events = self._selector.select(timeout=0.2)
            except (OSError, ValueError):
                return
            for key, _ in events:
                entry, re_name = key.data
                try:
                    conn, _addr = key.fileobj.accept()  # type: ignore[union-attr]
                except OSError:
                    continue
                conn.setblocking(True)
                self._spawn_connection(entry, re_name, conn)

    def _spawn_connection(self, entry: RouterEntry, re_name: str, conn: socket.socket) -> None:
        target = self._handle_console if re_name.startswith(CONSOLE) else self._handle_connection
        t = threading.Thread(target=target, args=(entry, re_name, conn),
                             name=f"re-ssh-{entry.params.name}-{re_name}", daemon=True)
        t.start()

    def _handle_console(self, entry: RouterEntry, re_name: str, conn: socket.socket) -> None:
        """A client on an RE's console port: login, CLI, or "press any key to reboot"."""
        model = entry.model
        assert model is not None
        users = {u.name: u.password for u in entry.users if not u.control}
        client = ConsoleConnection(conn, model, int(re_name.removeprefix(CONSOLE)[2:]), users,
                                   next(self._session_ids))
        entry.console_clients.append(client)
        try:
            client.run()
        finally:
            entry.console_clients.remove(client)
            self._reap(entry)

    def _resolve_slot(self, entry: RouterEntry, re_name: str) -> int | None:
        """Return the RE slot a new connection reaches, or None when nothing answers there."""
        model = entry.model
        assert model is not None
        with model.lock:
            if re_name == CONTROL:
                return model.chassis.master_slot() or 0
            if re_name == MASTER:
                return model.chassis.master_slot()
            slot = int(re_name[2:])
            return slot if model.chassis.re(slot).alive else None

    def _handle_connection(self, entry: RouterEntry, re_name: str, conn: socket.socket) -> None:
        slot = self._resolve_slot(entry, re_name)
        if slot is None:
            # A halted or absent RE runs no sshd: the connection is reset at once.
            conn.close()
            return
        model = entry.model
        assert model is not None
        control_only = re_name == CONTROL
        users = {u.name: u for u in entry.users if u.control or not control_only}

        def on_netconf(channel: paramiko.Channel, username: str) -> None:
            runner = NetconfChannelRunner(
                channel, model, slot, users[username], next(self._session_ids),
                on_change=lambda: self._reap(entry), pinned=control_only,
            )
            entry.sessions.append(runner)
            try:
                runner.run()
            finally:
                if runner in entry.sessions:
                    entry.sessions.remove(runner)

        def on_shell(channel: paramiko.Channel, username: str) -> None:
            runner = CliChannelRunner(channel, model, slot, username, next(self._session_ids),
                                      on_change=lambda: self._reap(entry))
            entry.sessions.append(runner)
            try:
                runner.run()
            finally:
                if runner in entry.sessions:
                    entry.sessions.remove(runner)

        # The control listener carries control RPCs only: no interactive shell there.
        interface = REServerInterface(users, on_netconf, None if control_only else on_shell)
        transport = serve_connection(conn, self.host_key, interface)
        if transport is None:
            conn.close()

    def _reap(self, entry: RouterEntry) -> None:
        """Close sessions whose RE went down or rebooted (a halted RE answers nothing)."""
        for runner in list(entry.sessions):
            if not runner.re_still_up():
                runner.close()

    def _save_periodically(self) -> None:
        """``--state-dir``: save every :data:`SAVE_EVERY` seconds, so a crash loses little."""
        while not self._stop.wait(SAVE_EVERY):
            try:
                self.save_state()
            except OSError as exc:
                log.error("could not save the routers' state: %s", exc)

    # ------------------------------------------------------------------ time
    def _pace_clocks(self) -> None:
        """In real-time mode, move every router's virtual clock along with the wall clock."""
        start_wall = time.monotonic()
        starts = {id(e): e.model.clock.now() for e in self.routers if e.model}
        while not self._stop.wait(0.05):
            elapsed = time.monotonic() - start_wall
            for entry in self.routers:
                model = entry.model
                if model is None:
                    continue
                with model.lock:
                    target = starts[id(entry)] + elapsed
                    if target > model.clock.now():
                        model.clock.advance_to(target)
                self._reap(entry)
