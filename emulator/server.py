"""Listeners and lifecycle: every router and session of a process on one asyncio event loop.

One :class:`EmulatorServer` serves any number of routers (a fleet testbed).  Each Routing Engine
listens on its own address (its fxp0), an optional master-only address reaches whichever RE is
master when the connection arrives, an emulator-only control listener takes control RPCs from
control users, and consoles are raw TCP terminals.  Everything a client does goes through SSH and
NETCONF (or the CLI) exactly as on hardware.

In process (the harness fixture, tests): ``start()`` binds every listener and runs the loop in
ONE background thread; ``stop()`` closes every session, cancels every task and joins it.  No
thread per session, no polling: sessions are callbacks on the loop, real time is one loop timer
per router armed for its clock's next deadline (:mod:`emulator.runtime`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from emulator.cli.session import CliSession
from emulator.cli_glue import TerminalPump
from emulator.console import ConsoleProtocol
from emulator.incidents import ErrorLog, ServerError
from emulator.limits import DEFAULT_LIMITS, Limits, RateWindow
from emulator.model.clock import DEFAULT_EPOCH, VirtualClock
from emulator.model.mlog import MastershipLog
from emulator.model.router import RouterModel, RouterParams
from emulator.netconf import JUNOS_CAPABILITIES
from emulator.netconf.messages import RequestMemo
from emulator.runtime import RouterRuntime
from emulator.session_glue import NetconfFace
from emulator.ssh import (
    JUNOS_KEX_ALGS,
    ChannelFace,
    ChannelLink,
    ConnectionPolicy,
    EmulatorConnection,
    Listener,
    Offer,
    Refusal,
    Terminal,
    User,
    make_host_key,
    use_keyed_hmac,
)
from emulator.state import StateDir
from re_contract.listeners import CONTROL, MASTER, is_loopback

#: Prefix of the console listeners' names (``console:re0``).
CONSOLE = "console:"

#: How often ``--state-dir`` saves the routers while serving (seconds of wall time).
SAVE_EVERY = 30.0

#: Seconds ``start()`` waits for the loop to open its listeners, ``stop()`` for it to end.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0

__all__ = ["CONSOLE", "CONTROL", "MASTER", "SAVE_EVERY", "BindRefusedError", "Census",
           "Endpoint", "EmulatorServer", "RouterEntry", "ServerError", "TimeMode"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Out of descriptors, buffers or memory: the accept path waits and goes on.
_RESOURCE_ERRORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class BindRefusedError(ValueError):
    """A testbed asks to listen beyond loopback without the operator's explicit ``--bind``."""


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
    listen: dict[str, tuple[str, int]]  # "re0"/"re1"/"master"/"control" -> (host, port)
    model: RouterModel | None = None
    #: Console ports: "re0"/"re1" -> (host, port) (a raw TCP terminal, as a terminal server).
    consoles: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: What the NETCONF server hello offers: the real Junos hello (base:1.0 only) by default.
    netconf_capabilities: tuple[str, ...] = JUNOS_CAPABILITIES
    #: This router's limits (None: the server's).
    limits: Limits | None = None


@dataclass(frozen=True, slots=True)
class Census:
    """What the server holds right now (for leak checks: a fuzzer, a benchmark)."""

    #: Open SSH connections.
    connections: int
    #: Sessions (NETCONF and CLI) reaped with their RE, all routers together.
    sessions: int
    #: Configuration locks held: (router, RE slot, session id).
    locks: tuple[tuple[str, int, int], ...]
    #: Tasks on the event loop (the server's own included).
    tasks: int
    #: Bytes of partial input held, all routers together.
    buffered_input: int


class TimeMode:
    """``virtual``: time moves only by control RPC.  ``real``: it follows the wall clock."""

    VIRTUAL = "virtual"
    REAL = "real"


@dataclass(frozen=True, slots=True)
class _Bound:
    """A listening socket bound before the loop starts, and what it serves."""

    entry: RouterEntry
    name: str  # "re0" / "master" / "control" / "console:re0"
    sock: socket.socket


class EmulatorServer:
    """Serves routers over SSH (and consoles over TCP) until :meth:`stop`."""

    def __init__(self, routers: Sequence[RouterEntry], *, time_mode: str = TimeMode.VIRTUAL,
                 state_dir: str | Path | None = None, limits: Limits = DEFAULT_LIMITS,
                 bind: Sequence[str] = ()) -> None:
        """Build every router's model; with ``state_dir``, from what was saved there.

        Every listener must be on a loopback address, or on one of ``bind`` (the operator's
        explicit ``re-emulator serve --bind ADDRESS``): the testbed's passwords are printed
        and known.  Raises BindRefusedError for another address, and StateError for a saved
        state that cannot be read or applied.
        """
        self.routers = list(routers)
        self.bind = frozenset(bind)
        self._check_addresses()
        self.time_mode = time_mode
        self.limits = limits
        self.host_key = make_host_key()
        self.errors = ErrorLog()
        self.endpoints: list[Endpoint] = []
        #: Console listeners (``re`` is the RE the console belongs to).
        self.consoles: list[Endpoint] = []
        self.state = StateDir(state_dir) if state_dir is not None else None
        self._session_ids = itertools.count(1000)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._runtimes: dict[str, RouterRuntime] = {}
        self._rates: dict[str, RateWindow] = {}
        self._connections: set[asyncssh.SSHServerConnection] = set()
        #: Every SSH listening address (host, port) and its listener; SSH options by login grace.
        self._listeners: dict[tuple[str, int], Listener] = {}
        self._ssh_options: dict[float, asyncssh.SSHServerConnectionOptions] = {}
        for entry in self.routers:
            entry.model = self._build_model(entry)

    def _check_addresses(self) -> None:
        for entry in self.routers:
            for name, (host, _) in [*entry.listen.items(), *entry.consoles.items()]:
                if not is_loopback(host) and host not in self.bind:
                    raise BindRefusedError(
                        f"router {entry.params.name} {name}: {host} is not a loopback address; "
                        f"listening there needs an explicit 're-emulator serve --bind {host}'")

    def exposed(self) -> list[Endpoint]:
        """Return the listeners (consoles included) on an address beyond loopback."""
        return [ep for ep in [*self.endpoints, *self.consoles] if not is_loopback(ep.host)]

    def _build_model(self, entry: RouterEntry) -> RouterModel:
        state = self.state
        saved = state.load(entry.params.name) if state is not None else None
        if state is None or saved is None:
            # Real time reads like a real router's clock (its logs show today's date); virtual
            # time starts at a fixed epoch so runs are reproducible, or where a recorded router
            # (re-emulator clone) was recorded, so its logs lie in its past.
            recorded = entry.params.recorded
            start = (time.time() if self.time_mode == TimeMode.REAL
                     else recorded.clock if recorded is not None else DEFAULT_EPOCH)
            return RouterModel(entry.params, VirtualClock(start))
        model = RouterModel(entry.params, VirtualClock(saved.clock))
        if entry.params.recorded is not None:
            # The saved log already holds the recorded one (and what followed): restore it alone.
            for r in model.chassis.res.values():
                r.log = MastershipLog()
        StateDir.restore(model, saved)
        log.info("router %s restored from %s", entry.params.name, state.path)
        return model

    # ------------------------------------------------------------ lifecycle
    def start(self) -> list[Endpoint]:
        """Bind every listener (port 0 = a free port), start the loop thread; return the
        endpoints, all listening when this returns.

        Raises OSError when an address cannot be bound (nothing is left listening), and
        RuntimeError when the loop does not come up within :data:`START_TIMEOUT`.
        """
        bound = self._bind_all()
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = loop
        self._thread = threading.Thread(target=self._run, args=(loop, bound, ready, failure),
                                        name="re-emulator-loop", daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT):
            raise RuntimeError(f"emulator loop did not start within {START_TIMEOUT:g} s")
        if failure:
            self._thread.join(STOP_TIMEOUT)
            raise failure[0]
        return list(self.endpoints)

    def stop(self) -> None:
        """Stop accepting, close every session, cancel every task, join the loop thread, and
        save the routers' state (with a state directory)."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended on its own meanwhile
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(STOP_TIMEOUT)
            if thread.is_alive():
                log.error("emulator loop thread did not stop within %g s", STOP_TIMEOUT)
        try:
            self.save_state()
        except OSError as exc:
            log.error("could not save the routers' state: %s", exc)

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def save_state(self) -> None:
        """Save every router to the state directory (no-op without one).  Raises OSError."""
        if self.state is None:
            return
        for entry in self.routers:
            model = entry.model
            if model is not None:
                snapshot = functools.partial(StateDir.snapshot, model)
                self.state.write(model.name, self._on_loop(snapshot))

    # ------------------------------------------------------------ in-process access
    def router(self, name: str) -> RouterModel:
        """Return the model of router ``name`` (for diagnostics only: the loop thread owns it;
        change it through :meth:`call`).  Raises KeyError."""
        for entry in self.routers:
            if entry.params.name == name and entry.model is not None:
                return entry.model
        raise KeyError(name)

    def call(self, name: str, fn: Callable[[RouterModel], T], timeout: float = 30.0) -> T:
        """Return ``fn(model)`` of router ``name``, run on the loop between two requests (its
        clock caught up, its sessions reaped afterwards if an RE went down).

        Raises KeyError for an unknown router, TimeoutError past ``timeout``, and what ``fn``
        raises.
        """
        runtime = self._runtimes.get(name)
        if runtime is None:
            model = self.router(name)
            return fn(model)
        return self._on_loop(lambda: runtime.run(lambda: fn(runtime.model)), timeout)

    @contextlib.contextmanager
    def hold(self, name: str) -> Iterator[None]:
        """Hold router ``name`` for the block: its sessions stay open, its requests wait (a
        router whose control plane is busy).  Raises KeyError for an unknown router."""
        runtime = self._runtimes[name]
        self._on_loop(runtime.pause)
        try:
            yield
        finally:
            self._on_loop(runtime.resume)

    def census(self, timeout: float = 30.0) -> Census:
        """Return what the server holds now (read on the loop).  Raises TimeoutError."""
        def count() -> Census:
            locks = tuple((rt.name, slot, db.lock_holder.session_id)
                          for rt in self._runtimes.values()
                          for slot, db in rt.model.configs.items() if db.lock_holder is not None)
            running = self._loop is not None and self._loop.is_running()
            return Census(connections=len(self._connections),
                          sessions=sum(len(rt.sessions) for rt in self._runtimes.values()),
                          locks=locks, tasks=len(asyncio.all_tasks(self._loop)) if running else 0,
                          buffered_input=sum(rt.budget.total for rt in self._runtimes.values()))
        return self._on_loop(count, timeout)

    def take_errors(self) -> list[ServerError]:
        """Return the unexpected exceptions raised in the server since the last call (handler
        crashes, channel callbacks, loop callbacks and tasks, the loop thread)."""
        return self.errors.take()

    def _on_loop(self, fn: Callable[[], T], timeout: float = 30.0) -> T:
        """Return ``fn()`` run on the loop thread (directly when the loop is not running)."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return fn()

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout)

    # ------------------------------------------------------------ binding
    def _bind_all(self) -> list[_Bound]:
        bound: list[_Bound] = []
        try:
            for entry in self.routers:
                for name, (host, port) in entry.listen.items():
                    bound.append(self._bind(entry, name, host, port))
                for name, (host, port) in entry.consoles.items():
                    bound.append(self._bind(entry, CONSOLE + name, host, port))
        except OSError:
            for b in bound:
                b.sock.close()
            raise
        self.endpoints = [self._endpoint(b) for b in bound if not b.name.startswith(CONSOLE)]
        self.consoles = [self._endpoint(b) for b in bound if b.name.startswith(CONSOLE)]
        return bound

    @staticmethod
    def _bind(entry: RouterEntry, name: str, host: str, port: int) -> _Bound:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        return _Bound(entry, name, sock)

    @staticmethod
    def _endpoint(b: _Bound) -> Endpoint:
        host, port = b.sock.getsockname()[:2]
        return Endpoint(b.entry.params.name, b.name.removeprefix(CONSOLE), host, port)

    # ------------------------------------------------------------ the loop thread
    def _run(self, loop: asyncio.AbstractEventLoop, bound: list[_Bound], ready: threading.Event,
             failure: list[BaseException]) -> None:
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(self._loop_error)
        try:
            loop.run_until_complete(self._serve(bound, ready, failure))
        except BaseException as exc:  # the loop thread itself died: recorded, never lost
            self.errors.record("emulator loop thread", exc)
        finally:
            ready.set()
            for b in bound:
                b.sock.close()
            with contextlib.suppress(RuntimeError):
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """An exception escaped a loop callback or task: record it.  Running out of file
        descriptors or memory while accepting is a condition, not a bug: asyncio stops
        accepting for a second and tries again (the listener survives), so it is a warning."""
        exc = context.get("exception")
        message = str(context.get("message", "unhandled exception"))
        if isinstance(exc, OSError) and exc.errno in _RESOURCE_ERRORS:
            log.warning("%s: %s; accepting again in a moment", message, exc)
            return
        self.errors.record(f"event loop: {message}",
                           exc if isinstance(exc, BaseException) else RuntimeError(message))

    async def _serve(self, bound: list[_Bound], ready: threading.Event,
                     failure: list[BaseException]) -> None:
        loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        servers: list[asyncio.AbstractServer] = []
        requests = RequestMemo()  # parsing depends on the bytes alone: one for every router
        try:
            for entry in self.routers:
                assert entry.model is not None
                limits = entry.limits or self.limits
                self._runtimes[entry.params.name] = RouterRuntime(
                    entry.model, loop, real_time=self.time_mode == TimeMode.REAL,
                    errors=self.errors, limits=limits, requests=requests)
                self._rates[entry.params.name] = RateWindow(limits.rate_limit, loop.time)
                if self.state is not None:
                    self._runtimes[entry.params.name].persist = self._persister(
                        self._runtimes[entry.params.name], self.state)
            for b in bound:
                servers.append(await self._open(b))
        except BaseException as exc:  # reported to start()'s caller
            failure.append(exc)
            ready.set()
            await self._shut(servers)
            return
        ready.set()
        saver = asyncio.create_task(self._save_periodically()) if self.state else None
        await self._stopping.wait()
        if saver is not None:
            saver.cancel()
        await self._shut(servers)

    async def _open(self, b: _Bound) -> asyncio.AbstractServer:
        runtime = self._runtimes[b.entry.params.name]
        if b.name.startswith(CONSOLE):
            slot = int(b.name.removeprefix(CONSOLE)[2:])
            users = {u.name: u.password for u in b.entry.users if not u.control}
            return await asyncio.get_running_loop().create_server(
                lambda: ConsoleProtocol(runtime, slot, users, next(self._session_ids),
                                        self.errors), sock=b.sock)
        host, port = b.sock.getsockname()[:2]
        self._listeners[(host, port)] = Listener(
            functools.partial(self._offer, runtime, b.entry, b.name), f"{runtime.name} {b.name}")
        # asyncssh.listen() would build (in an executor thread) SSH options of its own for each
        # listener: half a millisecond each, seconds for a fleet.  The options depend only on
        # the login grace, so they are built once per value and every listener's connections
        # are asyncssh's own SSHServerConnection, as listen() makes them (less its SSH_MSG_IGNORE
        # packets: ssh.py).
        options = self._ssh_options.get(runtime.limits.login_grace)
        if options is None:
            use_keyed_hmac()
            options = self._ssh_options[runtime.limits.login_grace] = (
                asyncssh.SSHServerConnectionOptions(
                    server_host_keys=[self.host_key], kex_algs=list(JUNOS_KEX_ALGS),
                    encoding=None, line_editor=False,
                    login_timeout=runtime.limits.login_grace, allow_scp=False,
                    agent_forwarding=False, x11_forwarding=False,
                    server_factory=lambda: ConnectionPolicy(self._listeners, self.errors,
                                                            self._connections)))
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            functools.partial(EmulatorConnection, loop, options), sock=b.sock)

    async def _shut(self, servers: list[asyncio.AbstractServer]) -> None:
        """Close listeners, sessions and connections; cancel whatever task is left."""
        for server in servers:
            server.close()
        for runtime in self._runtimes.values():
            runtime.close()
        for conn in list(self._connections):
            conn.close()
        if self._connections:
            await asyncio.wait([asyncio.ensure_future(c.wait_closed())
                                for c in list(self._connections)], timeout=STOP_TIMEOUT / 3)
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------ connections
    def _offer(self, runtime: RouterRuntime, entry: RouterEntry, listener: str
               ) -> Offer | Refusal | None:
        """Return what a new SSH connection to ``listener`` may do, why it is refused (Junos
        ``connection-limit`` and ``rate-limit``), or None to drop it (nothing listens there)."""
        slot = runtime.resolve_slot(listener)
        if slot is None:
            return None
        refusal = self._refusal(runtime, listener)
        if refusal is not None:
            return refusal
        control_only = listener == CONTROL
        users = {u.name: u for u in entry.users if u.control or not control_only}
        runtime.connections += 1

        def closed() -> None:
            runtime.connections -= 1

        netconf = functools.partial(self._netconf_face, runtime, slot, control_only,
                                    entry.netconf_capabilities)
        # The control listener carries control RPCs only: no interactive shell there.
        shell = None if control_only else functools.partial(self._cli_face, runtime, slot)
        return Offer(users, netconf, shell, runtime.limits, closed)

    def _refusal(self, runtime: RouterRuntime, listener: str) -> Refusal | None:
        """Return the refusal of a connection over the router's connection or rate limit (the
        control listener, the harness's own, is exempt), or None."""
        if listener == CONTROL:
            return None
        limits = runtime.limits
        cap = limits.connection_limit
        if cap is not None and runtime.connections >= cap:
            log.warning("%s: connection refused: %d open (connection-limit %d)", runtime.name,
                        runtime.connections, cap)
            return Refusal(asyncssh.DISC_TOO_MANY_CONNECTIONS,
                           f"too many connections ({runtime.connections} open, "
                           f"connection-limit {cap})")
        if not self._rates[runtime.name].admit():
            log.warning("%s: connection refused: over rate-limit %s per minute", runtime.name,
                        limits.rate_limit)
            return Refusal(asyncssh.DISC_TOO_MANY_CONNECTIONS,
                           f"too many connection attempts (rate-limit {limits.rate_limit} "
                           "per minute)")
        return None

    def _netconf_face(self, runtime: RouterRuntime, slot: int, pinned: bool,
                      capabilities: tuple[str, ...], link: ChannelLink, user: User,
                      terminal: Terminal) -> ChannelFace:
        return NetconfFace(link, runtime, slot, user, next(self._session_ids), pinned=pinned,
                           capabilities=capabilities)

    def _cli_face(self, runtime: RouterRuntime, slot: int, link: ChannelLink, user: User,
                  terminal: Terminal) -> ChannelFace:
        cli = CliSession(runtime.model, slot, user.name, session_id=next(self._session_ids),
                         password=user.password)
        if terminal.term is not None:  # a pty: the CLI pages on its height
            cli.resize(terminal.width, terminal.height)
        return TerminalPump(link, runtime, cli, slot=slot, reap=True)

    def _persister(self, runtime: RouterRuntime, state: StateDir
                   ) -> Callable[[], asyncio.Future[None]]:
        """Return ``runtime.persist``: start a save of the router, one at a time, each writing
        the newest state (taken on the loop when its turn comes; the file I/O in a thread)."""
        turn = asyncio.Lock()

        async def save() -> None:
            async with turn:
                saved = StateDir.snapshot(runtime.model)
                await asyncio.to_thread(state.write, runtime.name, saved)

        def start() -> asyncio.Future[None]:
            future = asyncio.ensure_future(save())
            future.add_done_callback(functools.partial(self._saved, runtime.name))
            return future

        return start

    def _saved(self, router: str, done: asyncio.Future[None]) -> None:
        if not done.cancelled() and done.exception() is not None:
            log.error("could not save the state of %s: %s", router, done.exception())

    async def _save_periodically(self) -> None:
        """``--state-dir``: save every :data:`SAVE_EVERY` seconds (the clock and the logs;
        commits are saved before they are acknowledged)."""
        while True:
            await asyncio.sleep(SAVE_EVERY)
            for runtime in self._runtimes.values():
                if runtime.persist is not None:
                    with contextlib.suppress(OSError):  # logged by _saved
                        await runtime.save_now()
