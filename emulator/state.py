"""``re-emulator serve --state-dir DIR``: routers that remember across restarts.

For each router, ``DIR/<router>/state.json`` keeps the virtual time, and per RE the committed
configuration and the mastership log lines.  The configuration is kept as its tree (``tree``:
every statement name, key and value exactly as committed, whatever characters they hold) and,
for people reading the file, as curly text (``config``, not read back).

Durability: a commit is acknowledged only once it is on disk (the server saves before it sends
the reply).  Each save writes a temporary file of a unique name in the router's directory,
fsyncs it, renames it over ``state.json`` and fsyncs the directory, so a crash at any point
leaves either the old or the new state, whole.  Files are 0600 in 0700 directories (the
configuration holds ``encrypted-password``).

Loading checks every key (pydantic): a corrupt or out-of-range file (a NaN clock, a log time
past year 9999) is one :class:`StateError` naming the file and the key.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulator.model.config import ConfigError
from emulator.model.config_tree import ConfigNode, NodeKind
from emulator.model.mlog import MastershipLog
from emulator.model.router import RouterModel

__all__ = ["FORMAT_VERSION", "SavedRouter", "StateDir", "StateError"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
#: The largest time kept (seconds since the epoch): 9999-12-31T23:59:59Z, the last instant the
#: router's date rendering can show.
MAX_TIME = 253402300799.0

_Time = Annotated[float, Field(ge=0.0, le=MAX_TIME, allow_inf_nan=False)]


class StateError(Exception):
    """A state file cannot be read or applied; the message names the file (and the key)."""


@dataclass(frozen=True, slots=True)
class SavedRouter:
    """What is kept of one router: its clock, and per RE slot its configuration and log.

    ``trees`` holds the exact configuration of each RE; ``configs`` its curly text (what a
    format-1 file kept, and what a person reads).
    """

    clock: float
    configs: dict[int, str]
    logs: dict[int, list[tuple[float, str]]]
    trees: dict[int, ConfigNode] | None = None


# ------------------------------------------------------------------ the file, declared
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Node(_Strict):
    """One configuration statement (:class:`ConfigNode`), compact: defaults are left out."""

    n: str
    k: Literal["container", "leaf", "leaf-list", "entry"] = "container"
    key: str | None = None
    v: str | None = None
    vs: list[str] = []
    c: list[_Node] = []
    inactive: bool = False


class _Re(_Strict):
    config: str
    tree: _Node | None = None
    log: list[tuple[_Time, str]]


class _File(_Strict):
    format: Literal[1, 2]
    clock: _Time
    res: dict[Annotated[str, Field(pattern=r"^re[0-9]$")], _Re]


def _node_json(node: ConfigNode) -> dict[str, Any]:
    out: dict[str, Any] = {"n": node.name}
    if node.kind is not NodeKind.CONTAINER:
        out["k"] = node.kind.value
    for name, value in (("key", node.key), ("v", node.value)):
        if value is not None:
            out[name] = value
    if node.values:
        out["vs"] = list(node.values)
    if node.children:
        out["c"] = [_node_json(child) for child in node.children]
    if node.inactive:
        out["inactive"] = True
    return out


def _node(saved: _Node) -> ConfigNode:
    return ConfigNode(saved.n, NodeKind(saved.k), key=saved.key, value=saved.v,
                      values=list(saved.vs), children=[_node(c) for c in saved.c],
                      inactive=saved.inactive)


def _where(error: Any) -> str:
    """Return the key path of one pydantic error (``res.re0.log.3.0``)."""
    return ".".join(str(part) for part in error["loc"]) or "(top level)"


# ------------------------------------------------------------------ the directory
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
        """Return what is kept of ``model`` now (call it where the model lives, write it
        elsewhere: the trees are copies)."""
        res = model.chassis.res
        return SavedRouter(
            clock=model.clock.now(),
            configs={slot: model.configs[slot].committed_text() for slot in res},
            logs={slot: [(line.at, line.text) for line in r.log.lines()]
                  for slot, r in res.items()},
            trees={slot: model.configs[slot].committed.copy() for slot in res},
        )

    def write(self, router: str, saved: SavedRouter) -> Path:
        """Write ``saved`` as the state of ``router``, durably (see the module docstring);
        return the file.  Raises OSError."""
        data = {
            "format": FORMAT_VERSION,
            "clock": saved.clock,
            "res": {f"re{slot}": self._re_json(saved, slot) for slot in sorted(saved.configs)},
        }
        target = self.file(router)
        self._make_dirs(target.parent)
        text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".state.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp: mode 0600
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
        return target

    @staticmethod
    def _re_json(saved: SavedRouter, slot: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"config": saved.configs[slot]}
        tree = (saved.trees or {}).get(slot)
        if tree is not None:
            entry["tree"] = _node_json(tree)
        entry["log"] = [[at, text] for at, text in saved.logs.get(slot, [])]
        return entry

    def _make_dirs(self, directory: Path) -> None:
        """Create the state directory (0700) and the router's (0700, tightened if it was not)."""
        if not self.path.exists():
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.mkdir(mode=0o700, exist_ok=True)
        if directory.stat().st_mode & 0o077:
            directory.chmod(0o700)

    # ------------------------------------------------------------ load
    def load(self, router: str) -> SavedRouter | None:
        """Return the saved state of ``router``, or None if nothing was saved.

        Raises StateError for an unreadable, malformed or out-of-range file, naming the file
        and the key.
        """
        path = self.file(router)
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise StateError(f"{path}: cannot read saved state: {exc}") from exc
        try:
            data = _File.model_validate(raw)
            return self._saved(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise StateError(f"{path}: key {_where(first)}: {first['msg']} "
                             f"(saved state rejected)") from None
        except RecursionError:
            raise StateError(f"{path}: key res: configuration nested too deep "
                             "(saved state rejected)") from None

    @staticmethod
    def _saved(data: _File) -> SavedRouter:
        return SavedRouter(
            clock=data.clock,
            configs={int(name[2:]): re.config for name, re in data.res.items()},
            logs={int(name[2:]): [(at, text) for at, text in re.log]
                  for name, re in data.res.items()},
            trees={int(name[2:]): _node(re.tree) for name, re in data.res.items()
                   if re.tree is not None},
        )

    @staticmethod
    def restore(model: RouterModel, saved: SavedRouter) -> None:
        """Commit the saved configurations on ``model`` (the REs react as to any commit) and
        put the saved log lines before the ones written since start.

        Raises StateError when a saved configuration no longer loads.
        """
        trees = saved.trees or {}
        for slot, text in sorted(saved.configs.items()):
            if slot not in model.configs:
                continue
            _restore_config(model, slot, trees.get(slot), text)
        for slot, lines in saved.logs.items():
            if slot in model.chassis.res:
                _restore_log(model, slot, lines)


def _restore_config(model: RouterModel, slot: int, tree: ConfigNode | None, text: str) -> None:
    db = model.configs[slot]
    old = model.settings(slot)
    try:
        if tree is not None:
            db.load_tree(tree)
        else:  # a format-1 file: the curly text is all there is
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


def _fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX: the directory entry is data too)."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
