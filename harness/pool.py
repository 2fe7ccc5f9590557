"""The routers of a test session: started (emulated) or reached (lab), one object per router,
and the per-router locks that keep two runs (or two xdist workers) off one lab router.

Emulated routers of the testbed are served by an in-process emulator started on first use, on
free loopback ports (:mod:`harness.emulated`, the only harness module that imports ``emulator``);
their endpoints are then written back into the testbed records.  The harness talks to the result
over SSH.

Locks: a disruptive test on a lab router holds a file lock named after the router's address (not
its testbed name, so two testbed files naming one router alike or not still share the lock).
Emulated routers need none: every process serves its own.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from harness.clock import RouterClock
from harness.emulated import EmulatedRouter, start_emulated
from harness.errors import HarnessError
from harness.recording.transport import LIVE, Transport
from harness.router import DualRERouter
from re_contract.testbed import Endpoint, RouterSpec, Testbed

__all__ = ["LabClockFactory", "LockSettings", "RouterBusyError", "RouterPool", "lock_path",
           "router_lock"]

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class RouterBusyError(HarnessError):
    """A lab router's lock stayed held (by another run or worker) past the lock timeout.

    At fault: nobody, the lab is busy; run later, raise ``--lock-timeout`` or free the holder.
    """


@dataclass(frozen=True, slots=True)
class LockSettings:
    """Where the per-router lock files live and how long to wait for one (seconds)."""

    directory: Path
    timeout: float


def lock_path(spec: RouterSpec, directory: Path) -> Path:
    """Return the lock file of router ``spec``: named after its first RE's address."""
    first = next(iter(spec.endpoints.values()))
    return directory / (_UNSAFE.sub("_", f"router-{first.host}-{first.port}") + ".lock")


@contextlib.contextmanager
def router_lock(spec: RouterSpec, settings: LockSettings) -> Iterator[Path]:
    """Hold the lock of router ``spec`` for the ``with`` block; yield the lock file's path.

    Raises RouterBusyError when it stays held by someone else for ``settings.timeout`` seconds.
    """
    settings.directory.mkdir(parents=True, exist_ok=True)
    path = lock_path(spec, settings.directory)
    lock = filelock.FileLock(str(path), timeout=settings.timeout)
    log.info("%s: taking lock %s", spec.name, path)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise RouterBusyError(f"{spec.name}: lock {path} still held after "
                              f"{settings.timeout:g} s by another run or worker; raise "
                              f"--lock-timeout or wait for it") from exc
    try:
        yield path
    finally:
        lock.release()


#: Makes the wall clock of a lab router (the plugin's shows progress on its terminal).
LabClockFactory = Callable[[RouterSpec], RouterClock]


class RouterPool:
    """Lazily built :class:`DualRERouter` objects for the routers of one testbed; ``lab_clock``
    makes the clock of each router not driven by control RPCs (default: a plain LabClock)."""

    def __init__(self, testbed: Testbed, locks: LockSettings | None = None, *,
                 lab_clock: LabClockFactory | None = None, transport: Transport = LIVE) -> None:
        self.testbed = testbed
        self.locks = locks
        self._lab_clock = lab_clock
        #: How the routers reach the world; offline (a replay) starts no emulator.
        self.transport = transport
        self._routers: dict[str, DualRERouter] = {}
        self._emulated: list[EmulatedRouter] = []

    def names(self) -> list[str]:
        """Return the router names of the testbed, in file order."""
        return list(self.testbed.routers)

    def spec(self, name: str) -> RouterSpec:
        """Return the testbed entry of router ``name``.  Raises TestbedError if unknown."""
        return self.testbed.router(name)

    def get(self, name: str) -> DualRERouter:
        """Return the router ``name``, starting its emulator first if it is emulated (a lab
        router is not contacted: its sessions open on first use).

        Raises TestbedError for an unknown name.
        """
        if name not in self._routers:
            spec = self.spec(name)
            control = None
            if spec.emulated and self.transport.offline:
                control = Endpoint("replay", 0)  # a replay reaches nothing: no emulator
            elif spec.emulated:
                spec, control = self._start_emulated(spec)
            clock = self._lab_clock(spec) if self._lab_clock is not None else None
            self._routers[name] = DualRERouter(spec, control=control, lab_clock=clock,
                                               transport=self.transport)
        return self._routers[name]

    def _start_emulated(self, spec: RouterSpec) -> tuple[RouterSpec, Endpoint]:
        started = start_emulated(spec)
        self._emulated.append(started)
        return started.spec, started.control

    @contextlib.contextmanager
    def exclusive(self, name: str, disruptive: bool) -> Iterator[Path | None]:
        """Hold router ``name``'s lock for the block when it is a lab router and the test is
        disruptive (and the pool has lock settings); yield the lock file, or None when no lock
        is taken.

        Raises RouterBusyError (see :func:`router_lock`) and TestbedError for an unknown name.
        """
        spec = self.spec(name)
        if spec.emulated or not disruptive or self.locks is None:
            yield None
            return
        with router_lock(spec, self.locks) as path:
            yield path

    def take_emulator_errors(self) -> list[Any]:
        """Return the unexpected exceptions the in-process emulators recorded since the last
        call (:meth:`EmulatedRouter.take_errors`), to fail the test during which they happened."""
        return [error for emulated in self._emulated for error in emulated.take_errors()]

    def started(self) -> Iterator[DualRERouter]:
        """Yield the routers built so far."""
        yield from self._routers.values()

    def close(self) -> None:
        """Close every session and stop the in-process emulators."""
        for router in self._routers.values():
            router.close()
        for emulated in self._emulated:
            emulated.stop()
        self._routers.clear()
        self._emulated.clear()
