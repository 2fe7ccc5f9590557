"""Which Routing Engines the test itself restarted: read from the disruptive actions the harness
took between two snapshots, so that the diff expects those restarts and only those.

Every disruptive thing the harness sends to a router asks the router's
:class:`~harness.faults.Consent` first, and the consent tells its listeners about each action
(:class:`~harness.faults.DisruptiveAction`): the HA operations (halt, reboot, power-on,
failover), the faults (``crash_re``, ``pull_re``, ...) and the raw RPCs or CLI lines that halt,
reboot or power an RE (``request system reboot both-routing-engines``).  That one choke point
sees more than the operations' results (:class:`~harness.router.results.OperationResult`),
which a raw reboot of both REs or a fault made directly never produces.

:func:`restarted_by` says which REs one action may restart (it names them as the Junos CLI
does: the local RE, ``other-routing-engine``, ``both-routing-engines``); :class:`RestartWatch`
is the listener that gathers them for one test.  An action the router then refused restarts
nothing, and the diff only *allows* the restart: an RE whose uptime kept moving forward is
still judged as usual.  A restart no action asked for (a crash, a watchdog, an emulator bug) is
still unexpected: that is the point of the diff.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from harness.faults import Disruption, DisruptiveAction

__all__ = ["RESTARTING_FAULTS", "RestartWatch", "restarted_by"]

log = logging.getLogger(__name__)

#: The faults that take an RE down or boot it (it runs again later with a new start time):
#: the chapter's pulled, halted and crashed master, and their remedies.  ``kill_process``,
#: ``sever_link`` and the session faults leave the RE running.
RESTARTING_FAULTS: frozenset[str] = frozenset({"crash_re", "pull_re", "halt_re", "insert_re",
                                               "power_on_re"})

#: The fault an action makes, as the harness names it: ``fault crash_re on re0``,
#: ``failover (pull_re)``.
_FAULT = re.compile(r"^(?:fault (?P<fault>\w+)|failover \((?P<failover>\w+)\))")
_SHUTDOWN = frozenset({Disruption.HALT, Disruption.REBOOT, Disruption.POWER})


def restarted_by(action: DisruptiveAction, re_names: Iterable[str],
                 master: Callable[[], str | None] = lambda: None) -> frozenset[str]:
    """Return the REs ``action`` may restart (empty for one that restarts none: a switchover, a
    configuration change, a fault that leaves the REs running).

    ``re_names``: the router's REs; ``master``: asked for the master when the action names no
    RE (a failover's victim is then the master).
    """
    names = tuple(re_names)
    target = action.re
    if action.kind in _SHUTDOWN:
        return _scoped(action.what, target, names)
    found = _FAULT.match(action.what)
    fault = found and (found.group("fault") or found.group("failover"))
    if not fault or fault not in RESTARTING_FAULTS:
        return frozenset()
    victim = target or master()
    return frozenset({victim}) if victim else frozenset()


def _scoped(what: str, target: str | None, names: tuple[str, ...]) -> frozenset[str]:
    """Return the REs a halt/reboot/power action reaches: every RE with
    ``both-routing-engines``, the other ones with ``other-routing-engine``, else the RE it was
    sent to (every RE when the action names none)."""
    if "both-routing-engines" in what or target is None:
        return frozenset(names)
    if "other-routing-engine" in what:
        return frozenset(n for n in names if n != target)
    return frozenset({target})


class RestartWatch:
    """A consent listener gathering the REs the harness's own actions restarted (for one
    test): ``watch.restarted`` after the test."""

    def __init__(self, re_names: Iterable[str],
                 master: Callable[[], str | None] = lambda: None) -> None:
        self.re_names = tuple(re_names)
        self._master = master
        self._restarted: set[str] = set()

    def __repr__(self) -> str:
        return f"<RestartWatch {sorted(self._restarted)}>"

    @property
    def restarted(self) -> frozenset[str]:
        """Return the REs restarted (or taken down) by the actions seen so far."""
        return frozenset(self._restarted)

    def on_action(self, action: DisruptiveAction) -> None:
        """A :class:`~harness.faults.Consent` listener: note the REs ``action`` restarts."""
        found = restarted_by(action, self.re_names, self._master)
        if found - self._restarted:
            log.info("%s: %s restarts %s (expected in the snapshot diff)", action.router,
                     action.what, ", ".join(sorted(found)))
        self._restarted |= found
