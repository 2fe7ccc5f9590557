"""``re-emulator serve --state-dir DIR``: routers that remember across restarts.

For each router, ``DIR/<router>/state.json`` keeps the virtual time, and per RE the committed
configuration (curly text) and the mastership log lines.  Saving writes a temporary file and
renames it over the old one, so a crash mid-save leaves the previous state intact.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from emulator.model.config import ConfigError
from emulator.model.mlog import MastershipLog
from emulator.model.router import RouterModel

__all__ = ["FORMAT_VERSION", "SavedRouter", "StateDir", "StateError"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class StateError(Exception):
    """A state file cannot be read or applied; the message names the file."""


@dataclass(frozen=True, slots=True)
class SavedRouter:
    """What is kept of one router: its clock, and per RE slot its configuration and log."""

    clock: float
    configs: dict[int, str]
    logs: dict[int, list[tuple[float, str]]]


class StateDir:
    """A directory of saved routers."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def file(self, router: str) -> Path:
        """Return the state file of ``router``."""
        return self.path / router / "state.json"

    # ------------------------------------------------------------ save
    def save(self, model: RouterModel) -> Path:
        """Write ``model``'s committed configurations and logs; return the file.  Raises OSError."""
        return self.write(model.name, self.snapshot(model))

    @staticmethod
    def snapshot(model: RouterModel) -> SavedRouter:
        """Return what is kept of ``model`` now (cheap: call it where the model lives, write it
        elsewhere)."""
        return SavedRouter(
            clock=model.clock.now(),
            configs={slot: model.configs[slot].committed_text() for slot in model.chassis.res},
            logs={slot: [(line.at, line.text) for line in r.log.lines()]
                  for slot, r in model.chassis.res.items()},
        )

    def write(self, router: str, saved: SavedRouter) -> Path:
        """Write ``saved`` as the state of ``router`` (temporary file renamed over the old one);
        return the file.  Raises OSError."""
        data = {
            "format": FORMAT_VERSION,
            "clock": saved.clock,
            "res": {f"re{slot}": {"config": saved.configs[slot],
                                  "log": [[at, text] for at, text in saved.logs.get(slot, [])]}
                    for slot in sorted(saved.configs)},
        }
        target = self.file(router)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target)
        return target

    # ------------------------------------------------------------ load
    def load(self, router: str) -> SavedRouter | None:
        """Return the saved state of ``router``, or None if nothing was saved.

        Raises StateError for an unreadable or malformed file.
        """
        path = self.file(router)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            res = data["res"]
            return SavedRouter(
                clock=float(data["clock"]),
                configs={int(name[2:]): str(v["config"]) for name, v in res.items()},
                logs={int(name[2:]): [(float(at), str(text)) for at, text in v["log"]]
                      for name, v in res.items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateError(f"{path}: cannot read saved state: {exc}") from exc

    @staticmethod
    def restore(model: RouterModel, saved: SavedRouter) -> None:
        """Commit the saved configurations on ``model`` (the REs react as to any commit) and
        put the saved log lines before the ones written since start.

        Raises StateError when a saved configuration no longer loads.
        """
        for slot, text in sorted(saved.configs.items()):
            if slot not in model.configs:
                continue
            _restore_config(model, slot, text)
        for slot, lines in saved.logs.items():
            if slot in model.chassis.res:
                _restore_log(model, slot, lines)


def _restore_config(model: RouterModel, slot: int, text: str) -> None:
    db = model.configs[slot]
    old = model.settings(slot)
    try:
        db.load(text, format="text", action="override")
        db.commit(model.clock.now(), user="root", log="restored from state directory")
    except ConfigError as exc:
        raise StateError(f"re{slot}: saved configuration rejected: {exc}") from exc
    model.chassis.config_committed(slot, old)


def _restore_log(model: RouterModel, slot: int, lines: list[tuple[float, str]]) -> None:
    r = model.chassis.re(slot)
    merged = MastershipLog()
    for at, text in lines:
        merged.write(at, text)
    for line in r.log.lines():
        merged.write(line.at, line.text)
    r.log = merged
