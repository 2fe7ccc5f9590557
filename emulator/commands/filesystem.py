"""The files of one Routing Engine as ``file list``, ``show system storage`` and ``show system
directory-usage`` see them: one view built from the model, read by every file command.

The model keeps the bytes of the RE's ordinary files (``RoutingEngine.files``: the chapter's
``/var/tmp`` sample, ``/etc/hosts.junos``, whatever ``file copy`` wrote) with their times, kinds
and owners.  Three files are live views of other model state, as on a real RE:

* ``/config/juniper.conf``: the committed configuration;
* ``/var/log/mastership``: the mastership log (chapter, "Determining Why Mastership Switched");
* ``/var/log/messages``: the system log, written from what the model knows happened on the RE:
  its boot and every commit, in Junos's syslog form (``UI_COMMIT``, genie's ``show log
  messages`` sample).

Directories are the standard ones of a Junos RE plus every directory a file lives in.  Modes,
owners and groups follow a FreeBSD-based Junos RE (choice, docs/emulator-model.md).
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum

from emulator.model.mlog import syslog_stamp
from emulator.model.router import RouterModel
from emulator.model.routing_engine import RoutingEngine

__all__ = [
    "BLOCK_SIZE",
    "file_bytes",
    "FileEntry",
    "FileKind",
    "FileSystem",
    "Mount",
    "date_format",
    "file_system",
    "home_of",
    "humanize",
    "messages_log",
]

#: ``file list`` and ``show system storage`` count 512-byte blocks (PyEZ ``FS.directory_usage``).
BLOCK_SIZE = 512


class FileKind(Enum):
    """What a directory entry is, with the suffix ``file list`` prints after its name."""

    FILE = ""
    EXECUTABLE = "*"
    SOCKET = "="
    SYMLINK = "@"
    DIRECTORY = "/"


#: ``RoutingEngine.file_kinds`` suffix -> kind.
_BY_SUFFIX = {k.value: k for k in FileKind}

#: Modes by kind (FreeBSD ``ls -l`` letters); logs and the configuration have their own.
_MODES = {
    FileKind.FILE: "-rw-r--r--",
    FileKind.EXECUTABLE: "-rwxr-xr-x",
    FileKind.SOCKET: "srwxrwxrwx",
    FileKind.SYMLINK: "lrwxr-xr-x",
    FileKind.DIRECTORY: "drwxr-xr-x",
}
_SPECIAL_MODES = {
    "/var/tmp": "drwxrwxrwt",
    "/config/juniper.conf": "-rw-r-----",
    "/var/log/messages": "-rw-rw----",
}

#: Directories every Junos RE has.
STANDARD_DIRS = ("/", "/config", "/etc", "/var", "/var/home", "/var/log", "/var/tmp")


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file or directory: what ``file list detail`` prints about it."""

    path: str
    kind: FileKind
    size: int
    mtime: float
    owner: str = "root"
    group: str = "wheel"

    @property
    def name(self) -> str:
        """Return the last component of the path."""
        return posixpath.basename(self.path) or "/"

    @property
    def mode(self) -> str:
        """Return the ``ls -l`` mode (``-rw-r--r--``)."""
        return _SPECIAL_MODES.get(self.path, _MODES[self.kind])

    @property
    def octal_mode(self) -> str:
        """Return the permission bits as Junos prints them in ``<file-permissions>`` (``644``)."""
        bits = self.mode[1:]
        return "".join(str(sum(w for c, w in zip(bits[i:i + 3], (4, 2, 1), strict=True)
                               if c not in "-"))
                       for i in (0, 3, 6))

    @property
    def blocks(self) -> int:
        """Return the 512-byte blocks the entry takes (at least one for a non-empty file)."""
        return -(-self.size // BLOCK_SIZE)


@dataclass(frozen=True, slots=True)
class Mount:
    """One file system of ``show system storage``: its device, size and fixed usage.

    ``base_used`` is what Junos itself takes on it; the RE's files add to it.
    """

    device: str
    mounted_on: str
    size: int
    base_used: int


#: A Junos 15.1 RE's file systems (choice, docs/emulator-model.md): the root on the flash, the
#: configuration partition, /var on the disk.
MOUNTS = (
    Mount("/dev/ad0s1a", "/", 1_825_361_920, 489_684_992),
    Mount("/dev/ad0s1e", "/config", 390_070_272, 155_648),
    Mount("/dev/ad1s1f", "/var", 28_991_029_248, 2_577_399_808),
)


def home_of(user: str) -> str:
    """Return the home directory of ``user`` (``/var/home/lab``)."""
    return f"/var/home/{user}"


def humanize(size: int) -> str:
    """Return ``size`` bytes as BSD ``df -h`` prints it: ``0B``, ``152K``, ``1.7G``, ``27G``."""
    value = float(size)
    for unit in ("B", "K", "M", "G", "T"):
        if value < 1024 or unit == "T":
            if unit == "B":
                return f"{int(value)}B"
            return f"{value:.1f}{unit}" if value < 10 else f"{int(value)}{unit}"
        value /= 1024
    raise AssertionError("unreachable")


class FileSystem:
    """The entries of one RE, by absolute path."""

    def __init__(self, entries: Mapping[str, FileEntry], contents: Mapping[str, bytes]) -> None:
        self._entries = dict(entries)
        self._contents = dict(contents)

    def get(self, path: str) -> FileEntry | None:
        """Return the entry at ``path`` (no trailing slash), or None."""
        return self._entries.get(path.rstrip("/") or "/")

    def read(self, path: str) -> bytes | None:
        """Return the bytes of the file at ``path``, None for a directory or a missing file."""
        return self._contents.get(path)

    def children(self, directory: str) -> list[FileEntry]:
        """Return the entries directly in ``directory``, by name."""
        base = directory.rstrip("/")
        return sorted((e for p, e in self._entries.items()
                       if p != "/" and posixpath.dirname(p) == (base or "/")),
                      key=lambda e: e.name)

    def walk(self, directory: str) -> Iterator[FileEntry]:
        """Yield every entry below ``directory`` (not the directory itself)."""
        base = directory.rstrip("/") + "/"
        for path, entry in sorted(self._entries.items()):
            if path.startswith(base) and path != base.rstrip("/"):
                yield entry

    def used_bytes(self, directory: str) -> int:
        """Return the bytes of the files under ``directory`` (``du``)."""
        return sum(e.size for e in self.walk(directory) if e.kind is not FileKind.DIRECTORY)

    def used_blocks(self, directory: str) -> int:
        """Return the 512-byte blocks of the files under ``directory``."""
        return sum(e.blocks for e in self.walk(directory) if e.kind is not FileKind.DIRECTORY)

    def mount_of(self, path: str) -> Mount:
        """Return the file system ``path`` lives on (the longest mount point above it)."""
        best = MOUNTS[0]
        for mount in MOUNTS:
            point = mount.mounted_on.rstrip("/") + "/"
            if (path + "/").startswith(point) and len(point) > len(best.mounted_on):
                best = mount
        return best

    def mount_used(self, mount: Mount) -> int:
        """Return the bytes used on ``mount``: Junos's own plus the RE's files on it."""
        files = [e for e in self._entries.values()
                 if e.kind is not FileKind.DIRECTORY and self.mount_of(e.path) == mount]
        return mount.base_used + sum(e.blocks * BLOCK_SIZE for e in files)


def messages_log(model: RouterModel, r: RoutingEngine) -> str:
    """Return ``/var/log/messages`` of RE ``r``: its boot (``syslogd: restart``, FreeBSD's line
    when syslogd starts) and each commit kept in its configuration history (``UI_COMMIT`` and
    ``UI_COMMIT_COMPLETED``, as in genie's ``show log messages`` sample), oldest first."""
    host = model.hostname(r.slot)
    lines = [(r.start_time, f"{host} syslogd: restart")]
    pid = 1000 + r.slot
    for record in reversed(model.configs[r.slot].history):
        if record.time < r.start_time:
            continue
        comment = record.log or "none"
        lines.append((record.time, f"{host} mgd[{pid}]: UI_COMMIT: User '{record.user}' "
                                   f"requested 'commit' operation (comment: {comment})"))
        lines.append((record.time, f"{host} mgd[{pid}]: UI_COMMIT_COMPLETED: commit complete"))
    lines.sort(key=lambda line: line[0])
    # Junos writes two spaces between the stamp and the host name.
    return "".join(f"{syslog_stamp(at)}  {text}\n" for at, text in lines)


def _committed(model: RouterModel, r: RoutingEngine) -> tuple[bytes, float]:
    db = model.configs[r.slot]
    last_commit = next(iter(db.history), None)
    return db.committed_text().encode(), last_commit.time if last_commit else r.start_time


def _mastership(model: RouterModel, r: RoutingEngine) -> tuple[bytes, float]:
    log_lines = r.log.lines()
    return r.log.render().encode(), log_lines[-1].at if log_lines else r.start_time


def _messages(model: RouterModel, r: RoutingEngine) -> tuple[bytes, float]:
    return messages_log(model, r).encode(), model.clock.now()


#: The live files of an RE, rendered from the model when read: path -> (bytes, mtime).
_LIVE: dict[str, Callable[[RouterModel, RoutingEngine], tuple[bytes, float]]] = {
    "/config/juniper.conf": _committed,
    "/var/log/mastership": _mastership,
    "/var/log/messages": _messages,
}


def _live(model: RouterModel, r: RoutingEngine) -> dict[str, tuple[bytes, float]]:
    """Return the live files of ``r``: path -> (bytes, modification time)."""
    return {path: render(model, r) for path, render in _LIVE.items()}


def file_bytes(model: RouterModel, r: RoutingEngine, path: str) -> bytes | None:
    """Return the bytes of the file at ``path`` on ``r`` (a live file rendered now), None for
    a directory or a missing file: ``file_system(...).read(path)`` without building the rest
    (``show log mastership`` reads one file, not the configuration and every log)."""
    live = _LIVE.get(path)
    return live(model, r)[0] if live is not None else r.files.get(path)


def file_system(model: RouterModel, r: RoutingEngine, user: str) -> FileSystem:
    """Return the file system of RE ``r`` as ``user`` sees it (their home directory exists)."""
    contents: dict[str, bytes] = {}
    entries: dict[str, FileEntry] = {}
    stored = {p: (data, r.file_mtimes.get(p, r.start_time)) for p, data in r.files.items()}
    for path, (data, mtime) in {**stored, **_live(model, r)}.items():
        kind = _BY_SUFFIX.get(r.file_kinds.get(path, ""), FileKind.FILE)
        owner = r.file_owners.get(path, "root")
        entries[path] = FileEntry(path, kind, len(data), mtime, owner)
        contents[path] = data
    directories = set(STANDARD_DIRS) | {home_of(user)}
    for path in list(entries):
        parent = posixpath.dirname(path)
        while parent not in ("", "/"):
            directories.add(parent)
            parent = posixpath.dirname(parent)
    for directory in directories:
        newest = max((e.mtime for p, e in entries.items()
                      if posixpath.dirname(p) == directory), default=r.start_time)
        owner = user if directory == home_of(user) else "root"
        entries.setdefault(directory, FileEntry(directory, FileKind.DIRECTORY, BLOCK_SIZE,
                                                newest, owner))
    return FileSystem(entries, contents)


def date_format(epoch: float, now: float) -> str:
    """Return ``ls -l``'s date: ``Jan 12 21:50`` within six months of ``now``, else
    ``Jan 12  2025`` (FreeBSD ``ls``)."""
    tm = time.gmtime(epoch)
    month_day = f"{time.strftime('%b', tm)} {tm.tm_mday:2d}"
    if abs(now - epoch) < 182 * 86400:
        return f"{month_day} {time.strftime('%H:%M', tm)}"
    return f"{month_day}  {tm.tm_year}"
