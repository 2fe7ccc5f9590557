"""``show system uptime | memory | storage | directory-usage | commit revision`` and ``show cli
directory``: what NAPALM, PyEZ and Ansible read besides the chassis, answered from the model.

Shapes: PyEZ's ``get-system-uptime-information.xml``, ``get-system-storage.xml``,
``get-directory-usage-information.xml`` and ``show-cli-directory.xml`` fixtures, Ansible's
``show_system_memory_xml.txt`` fixture, NAPALM ``_get_pending_commits`` (revision, ``date-time
junos:seconds``, comment); texts: genie's ``show system uptime`` / ``show system storage``
samples.  Values (docs/emulator-model.md): boot and protocol start from the RE's times on the
model clock, the last configuration from the commit history, load averages and memory use from
the same view ``show chassis routing-engine`` shows, storage from the RE's files.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from lxml import etree

from emulator.commands import chassis_cmds as cc
from emulator.commands.context import CommandContext, Result
from emulator.commands.files import listing_fs, resolve_path
from emulator.commands.filesystem import (
    BLOCK_SIZE,
    MOUNTS,
    FileKind,
    FileSystem,
    home_of,
    humanize,
)
from emulator.commands.render_chassis import format_start_time
from emulator.commands.xmlutil import junos_ns, sub
from emulator.model.config import CommitRecord
from emulator.model.errors import UnknownTargetError

__all__ = [
    "cli_directory",
    "commit_revision_information",
    "directory_usage_information",
    "format_ago",
    "format_up",
    "system_memory_information",
    "system_storage",
    "system_uptime_information",
]

Args = Mapping[str, str | bool]


def _ns(ctx: CommandContext) -> str:
    return junos_ns(ctx.version)


def _root(ctx: CommandContext, tag: str) -> etree._Element:
    return etree.Element(tag, nsmap={"junos": _ns(ctx)})


def _stamped(parent: etree._Element, tag: str, seconds: float, text: str) -> etree._Element:
    el = sub(parent, tag, text)
    el.set(f"{{{parent.nsmap['junos']}}}seconds", str(int(seconds)))
    return el


# ------------------------------------------------------------------ uptime
def format_ago(seconds: float) -> str:
    """Return Junos's elapsed time: ``03:57:14`` under a day, ``6d 03:56`` under a week,
    ``2w1d 00:04`` beyond (genie's ``show system uptime`` samples)."""
    secs = max(0, int(seconds))
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if not days:
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    weeks, days = divmod(days, 7)
    head = f"{weeks}w{days}d" if weeks else f"{days}d"
    return f"{head} {hours:02d}:{minutes:02d}"


def format_up(seconds: float) -> str:
    """Return the FreeBSD ``w`` uptime: ``3:57``, ``5 mins``, ``15 days, 5 mins``, ``209 days,
    23:14`` (genie's samples)."""
    secs = max(0, int(seconds))
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    head = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    tail = f"{minutes} min{'s' if minutes != 1 else ''}" if not hours else f"{hours}:{minutes:02d}"
    return head + tail


def _clock(epoch: float) -> str:
    """Return ``4:59PM`` (``%l:%M%p``, the hour padded with a space) for ``epoch`` in UTC."""
    tm = time.gmtime(epoch)
    return f"{(tm.tm_hour % 12) or 12:2d}:{tm.tm_min:02d}{'AM' if tm.tm_hour < 12 else 'PM'}"


def _last_commit(ctx: CommandContext) -> CommitRecord | None:
    return next(iter(ctx.router.configs[ctx.slot].history), None)


def system_uptime_information(ctx: CommandContext, args: Args) -> Result:
    """``show system uptime`` (get-system-uptime-information; PyEZ ``Device.uptime``, NAPALM
    ``get_facts`` uptime and pending-commit time)."""
    model = ctx.router
    r = model.chassis.re(ctx.slot)
    now = model.clock.now()
    view = cc.route_engine_views(model, str(ctx.slot)).routing_engines[0]
    loads = view.load_averages or (0.0, 0.0, 0.0)
    root = _root(ctx, "system-uptime-information")
    _stamped(sub(root, "current-time"), "date-time", now, format_start_time(now))
    sub(root, "time-source", " LOCAL CLOCK ")
    lines = [f"Current time: {format_start_time(now)}", "Time Source:  LOCAL CLOCK"]
    times = [("system-booted-time", "System booted", r.start_time),
             ("protocols-started-time", "Protocols started", r.up_since)]
    for tag, label, at in times:
        block = sub(root, tag)
        _stamped(block, "date-time", at, format_start_time(at))
        _stamped(block, "time-length", now - at, format_ago(now - at))
        lines.append(f"{label}: {format_start_time(at)} ({format_ago(now - at)} ago)")
    record = _last_commit(ctx)
    if record is not None:
        block = sub(root, "last-configured-time")
        _stamped(block, "date-time", record.time, format_start_time(record.time))
        _stamped(block, "time-length", now - record.time, format_ago(now - record.time))
        sub(block, "user", record.user)
        lines.append(f"Last configured: {format_start_time(record.time)} "
                     f"({format_ago(now - record.time)} ago) by {record.user}")
    up = now - r.start_time
    info = sub(root, "uptime-information")
    _stamped(info, "date-time", now, _clock(now).strip())
    _stamped(info, "up-time", up, format_up(up))
    # The user asking is the one user the model knows of (choice: the model has no sessions).
    count = sub(info, "active-user-count", 1)
    count.set(f"{{{root.nsmap['junos']}}}format", "1 user")
    for tag, value in zip(("load-average-1", "load-average-5", "load-average-15"), loads,
                          strict=True):
        sub(info, tag, f"{value:.2f}")
    sub(info, "user-table")
    lines.append(f"{_clock(now)}  up {format_up(up)}, 1 user, load averages: "
                 + ", ".join(f"{value:.2f}" for value in loads))
    return Result([root], "\n".join(lines) + "\n")


# ------------------------------------------------------------------ memory
#: Shares of physical memory (percent) that do not depend on the RE's load (choice).
_RESERVED, _CACHE = 1, 4


def system_memory_information(ctx: CommandContext, args: Args) -> Result:
    """``show system memory`` (get-system-memory-information; Ansible ``junos_facts``
    hardware): the RE's DRAM in Kbytes, wired + active = the memory utilisation ``show chassis
    routing-engine`` shows."""
    model = ctx.router
    view = cc.route_engine_views(model, str(ctx.slot)).routing_engines[0]
    total = (view.memory_dram_size_mb or model.chassis.re(ctx.slot).hardware.dram_mb) * 1024
    used = view.memory_buffer_utilization or 0
    shares = [("reserved", "Reserved", _RESERVED), ("wired", "Wired", used // 2),
              ("active", "Active", used - used // 2), ("inactive", "Inactive", 3),
              ("cache", "Cache", _CACHE)]
    shares.append(("free", "Free", 100 - sum(s for _, _, s in shares)))
    root = etree.Element("system-memory-information")
    summary = sub(root, "system-memory-summary-information")
    sub(summary, "system-memory-total", total)
    sub(summary, "system-memory-total-percent", "100%")
    lines = ["System memory usage distribution:",
             f"{'Total memory':>20}: {total} Kbytes (100%)"]
    for tag, label, share in shares:
        kbytes = total * share // 100
        sub(summary, f"system-memory-{tag}", kbytes)
        sub(summary, f"system-memory-{tag}-percent", f"{share:3d}%")
        lines.append(f"{label + ' memory':>20}: {kbytes:>{len(str(total))}} Kbytes ({share:3d}%)")
    return Result([root], "\n".join(lines) + "\n")


# ------------------------------------------------------------------ storage
def system_storage(ctx: CommandContext, args: Args) -> Result:
    """``show system storage`` (get-system-storage; PyEZ ``FS.storage_usage``, Ansible
    hardware facts): each file system's size, and what Junos plus the RE's files use on it."""
    fs = listing_fs(ctx, ctx.slot)
    root = _root(ctx, "system-storage-information")
    fmt = f"{{{root.nsmap['junos']}}}format"
    lines = [f"{'Filesystem':<20}{'Size':>8}{'Used':>11}{'Avail':>11}  Capacity   Mounted on"]
    for mount in MOUNTS:
        used = fs.mount_used(mount)
        avail = mount.size - used
        percent = round(100 * used / mount.size)
        el = sub(root, "filesystem")
        sub(el, "filesystem-name", mount.device)
        for tag, value in (("total-blocks", mount.size), ("used-blocks", used),
                           ("available-blocks", avail)):
            sub(el, tag, value // BLOCK_SIZE).set(fmt, humanize(value))
        sub(el, "used-percent", f"{percent:2d}")
        sub(el, "mounted-on", mount.mounted_on)
        lines.append(f"{mount.device:<20}{humanize(mount.size):>8}{humanize(used):>11}"
                     f"{humanize(avail):>11}{percent:>9}%  {mount.mounted_on}")
    return Result([root], "\n".join(lines) + "\n")


def directory_usage_information(ctx: CommandContext, args: Args) -> Result:
    """``show system directory-usage <path> depth <n>`` (get-directory-usage-information;
    PyEZ ``FS.directory_usage``): ``du`` of the path and, to ``depth`` levels, of the
    directories below it.  Raises UnknownTargetError for a path that is not a directory."""
    path = resolve_path(str(args.get("path") or "."), home_of(ctx.user)).rstrip("/") or "/"
    depth = str(args.get("depth") or "0")
    if not depth.isdigit():
        raise UnknownTargetError(f"invalid depth: {depth}")
    fs = listing_fs(ctx, ctx.slot)
    entry = fs.get(path)
    if entry is None or entry.kind is not FileKind.DIRECTORY:
        raise UnknownTargetError(f"{path}: No such file or directory")
    root = etree.Element("directory-usage-information")
    lines: list[str] = []
    _usage(fs, sub(root, "directory"), path, int(depth), lines)
    return Result([root], "\n".join(lines) + "\n")


def _usage(fs: FileSystem, parent: etree._Element, path: str, depth: int,
           lines: list[str]) -> None:
    """Fill ``parent`` (a ``<directory>``) for ``path``: its name, the subdirectories down to
    ``depth``, then its own total (the order of PyEZ's fixture)."""
    sub(parent, "directory-name", path)
    if depth > 0:
        for child in fs.children(path):
            if child.kind is FileKind.DIRECTORY:
                _usage(fs, sub(parent, "directory"), child.path, depth - 1, lines)
    blocks = fs.used_blocks(path) + 1  # the directory itself takes a block (du)
    size = humanize(blocks * BLOCK_SIZE)
    sub(parent, "used-space", size).set("used-blocks", str(blocks))
    lines.append(f"{size:>6}  {path}")


# ------------------------------------------------------------------ commit revision
def commit_revision_information(ctx: CommandContext, args: Args) -> Result:
    """``show system commit revision [detail]`` (get-commit-revision-information; NAPALM
    ``has_pending_commit``): the newest commit's revision ``reN-<seconds>-<n>``, its time,
    user and comment (a confirmed commit's comment says ``commit confirmed, rollback in
    Nmins``).  Raises UnknownTargetError before the first commit."""
    history = ctx.router.configs[ctx.slot].history
    if not history:
        raise UnknownTargetError("no commit history")
    record = history[0]
    revision = f"re{ctx.slot}-{int(record.time)}-{len(history)}"
    root = _root(ctx, "commit-revision-information")
    sub(root, "revision", revision)
    lines = [f"Revision: {revision}"]
    if args.get("detail") or args.get("level") == "detail":
        _stamped(root, "date-time", record.time, format_start_time(record.time))
        sub(root, "user", record.user)
        lines += [f"Time: {format_start_time(record.time)}", f"User: {record.user}"]
        if record.log:
            sub(root, "comment", record.log)
            lines.append(f"Comment: {record.log}")
    return Result([root], "\n".join(lines) + "\n")


# ------------------------------------------------------------------ show cli directory
def cli_directory(ctx: CommandContext, args: Args) -> Result:
    """``show cli directory`` (PyEZ ``FS.pwd``): the user's home, where every session starts
    (sample command.show-cli-directory.pyez.xml)."""
    cli = etree.Element("cli")
    sub(cli, "working-directory", home_of(ctx.user))
    return Result([cli], f"Current directory: {home_of(ctx.user)}\n")
