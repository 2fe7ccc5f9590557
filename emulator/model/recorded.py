"""A router's recorded state: what ``re-emulator clone`` read from a live router, which the model
is built from and which ``reset`` returns to.

Per RE slot: the committed configuration (curly text, as ``show configuration`` prints it) and
the mastership log lines with their times; for the whole router the clock when it was recorded
and how long the chassis had been up.  A router built from a recording continues the recorded
router rather than rebooting it: each RE's log is the recorded one (the election the model runs
at construction writes no line of its own there), and its REs have been up the recorded time.

Pure data: the server's testbed bridge reads the file (a state directory) and hands this record
to :class:`~emulator.model.router.RouterParams`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from emulator.model.config import ConfigDatabase
from emulator.model.mlog import MastershipLog

__all__ = ["RecordedState"]


@dataclass(frozen=True, slots=True)
class RecordedState:
    """The state a router is built from: ``clock`` (router time of the recording), per RE slot
    its committed configuration (``configs``) and mastership log lines (``logs``: (time, text)
    pairs, oldest first)."""

    clock: float
    configs: Mapping[int, str] = field(default_factory=dict)
    logs: Mapping[int, tuple[tuple[float, str], ...]] = field(default_factory=dict)

    def database(self, slot: int, now: float) -> ConfigDatabase | None:
        """Return RE ``slot``'s configuration database with its recorded configuration committed
        at ``now``, or None when none was recorded for that slot.

        Raises ConfigError (a statement the schema refuses, a failed commit check).
        """
        text = self.configs.get(slot)
        if text is None:
            return None
        db = ConfigDatabase()
        db.load(text, format="text", action="override")
        db.commit(now, user="root", log="recorded configuration")
        return db

    def log(self, slot: int) -> MastershipLog | None:
        """Return RE ``slot``'s recorded mastership log, or None when none was recorded."""
        lines = self.logs.get(slot)
        if lines is None:
            return None
        log = MastershipLog()
        for at, text in lines:
            log.write(at, text)
        return log
