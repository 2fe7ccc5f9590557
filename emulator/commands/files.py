"""``file list | show | copy`` on the RE's own files (the view of ``filesystem.py``).

Chapter "Copy a Configuration File from One Routing Engine to Another": ``file copy <source>
re1:/var/tmp/`` copies over the internal link to the other RE.  Reply shapes are the samples
``file-list.{dir,file,symlink,home.facts}.pyez.xml`` (``<directory-list>``: ``junos:style``
brief or verbose, ``<total-file-blocks>``, ``<file-information>``, ``<total-files>`` counting the
entries that are not directories) and PyEZ's ``get-system-core-dumps.xml`` for a missing path
(``<directory-list>`` holding ``<output>path: No such file or directory</output>``, which PyEZ
``FS.ls`` reads as "not found").  The text heads a listing with the directory and a trailing
``/`` (``/var/tmp/:``, genie's ``file list`` sample); a detailed one has ``total blocks:``, the
``ls -l`` lines in the columns of genie's ``file list detail`` sample and ``total files: N``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from lxml import etree

from emulator.commands.context import CommandContext, Result
from emulator.commands.filesystem import (
    FileEntry,
    FileKind,
    FileSystem,
    date_format,
    file_bytes,
    file_system,
    home_of,
)
from emulator.commands.xmlutil import junos_ns, sub
from emulator.model.errors import UnknownTargetError
from emulator.model.router import RouterModel

__all__ = ["file_copy", "file_list", "file_show", "listing_fs", "read_file", "resolve_path"]

Args = Mapping[str, str | bool]

#: The element ``<file-information>`` carries for a kind, with its ``junos:format`` (samples).
_KIND_ELEMENT = {
    FileKind.DIRECTORY: "file-directory",
    FileKind.EXECUTABLE: "file-executable",
    FileKind.SYMLINK: "file-symlink-target",
    FileKind.SOCKET: "file-socket",  # no sample: our name, choice
}


def _split_target(model: RouterModel, ctx: CommandContext, path: str) -> tuple[int, str]:
    """Return (slot, path) for ``re1:/var/tmp/x`` style names (the local RE by default).

    Raises UnknownTargetError when the other RE cannot be reached."""
    head, sep, rest = path.partition(":")
    if sep and head in {f"re{s}" for s in model.chassis.res}:
        slot = int(head[2:])
        if slot != ctx.slot and not model.chassis.reachable(ctx.slot, slot):
            raise UnknownTargetError(f"Could not connect to {head} : No route to host")
        return slot, rest or "/var/tmp/"
    return ctx.slot, path


def resolve_path(path: str, home: str) -> str:
    """Return ``path`` made absolute from ``home`` (``~`` and relative names), normalised,
    keeping a trailing ``/`` the user typed."""
    if path in ("~", "") or path.startswith("~/"):
        path = home + "/" + path[2:] if path.startswith("~/") else home + "/"
    elif not path.startswith("/"):
        path = f"{home}/{path}"
    norm = posixpath.normpath(path)
    return norm + "/" if path.endswith("/") and norm != "/" else norm


def read_file(model: RouterModel, slot: int, path: str) -> bytes | None:
    """Return the contents of ``path`` on RE ``slot`` (live files included), or None."""
    return file_bytes(model, model.chassis.re(slot), path)


def listing_fs(ctx: CommandContext, slot: int) -> FileSystem:
    """Return the file system of RE ``slot`` as the context's user sees it."""
    model = ctx.router
    return file_system(model, model.chassis.re(slot), ctx.user)


# ------------------------------------------------------------------ file list
def file_list(ctx: CommandContext, args: Args) -> Result:
    """``file list [path] [detail]`` (RPC ``file-list``, PyEZ ``FS.ls``/``FS.stat``, the HOME
    fact).  A missing path answers ``<directory-list><output>`` (never an rpc-error)."""
    model = ctx.router
    home = home_of(ctx.user)
    slot, raw = _split_target(model, ctx, str(args.get("path") or "~"))
    path = resolve_path(raw, home)
    fs = listing_fs(ctx, slot)
    detail = bool(args.get("detail"))
    root = _directory_list(ctx, path, detail)
    entry = fs.get(path)
    if entry is None or (path.endswith("/") and entry.kind is not FileKind.DIRECTORY):
        text = f"{path}: No such file or directory"
        sub(root, "output", text)
        return Result([root], text)
    now = model.clock.now()
    if entry.kind is FileKind.DIRECTORY:
        entries = fs.children(path)
        _directory_xml(root, path, entries, detail, now)
        return Result([root], _directory_text(path, entries, detail, now))
    _directory_xml(root, "", [entry], detail, now, full_names=True)
    return Result([root], _file_text(entry, detail, now))


def _directory_list(ctx: CommandContext, path: str, detail: bool) -> etree._Element:
    ns = junos_ns(ctx.version)
    root = etree.Element("directory-list", nsmap={"junos": ns})
    root.set("root-path", path)
    root.set(f"{{{ns}}}seconds", str(int(ctx.router.clock.now())))
    root.set(f"{{{ns}}}style", "verbose" if detail else "brief")
    return root


def _directory_xml(root: etree._Element, name: str, entries: list[FileEntry], detail: bool,
                   now: float, *, full_names: bool = False) -> None:
    ns = root.nsmap["junos"]
    d = sub(root, "directory", name=name)
    if name:
        sub(d, "directory-name", name)
        sub(d, "total-file-blocks", sum(e.blocks for e in entries))
    for entry in entries:
        info = sub(d, "file-information")
        sub(info, "file-name", entry.path if full_names else entry.name)
        marker = _KIND_ELEMENT.get(entry.kind)
        if marker is not None:
            sub(info, marker).set(f"{{{ns}}}format", entry.kind.value)
        if detail:
            _detail_xml(info, entry, now, ns)
    sub(d, "total-files", sum(1 for e in entries if e.kind is not FileKind.DIRECTORY))


def _detail_xml(info: etree._Element, entry: FileEntry, now: float, ns: str) -> None:
    sub(info, "file-permissions", entry.octal_mode).set(f"{{{ns}}}format", entry.mode)
    sub(info, "file-owner", entry.owner)
    sub(info, "file-group", entry.group)
    sub(info, "file-links", 2 if entry.kind is FileKind.DIRECTORY else 1)
    sub(info, "file-size", entry.size)
    sub(info, "file-date", int(entry.mtime)).set(f"{{{ns}}}format",
                                                 date_format(entry.mtime, now))


def _detail_line(entry: FileEntry, name: str, now: float) -> str:
    links = 2 if entry.kind is FileKind.DIRECTORY else 1
    return (f"{entry.mode}  {links} {entry.owner:<5} {entry.group:<5} {entry.size:>10} "
            f"{date_format(entry.mtime, now)} {name}")


def _directory_text(path: str, entries: list[FileEntry], detail: bool, now: float) -> str:
    lines = [f"{path.rstrip('/')}/:"]
    if detail:
        lines.append(f"total blocks: {sum(e.blocks for e in entries)}")
        lines += [_detail_line(e, e.name, now) for e in entries]  # ls -l: no kind marks
        lines.append(f"total files: {sum(1 for e in entries if e.kind is not FileKind.DIRECTORY)}")
    else:
        lines += [e.name + e.kind.value for e in entries]
    return "\n".join(lines)


def _file_text(entry: FileEntry, detail: bool, now: float) -> str:
    if not detail:
        return entry.path
    return f"{_detail_line(entry, entry.path, now)}\n\ntotal files: 1"


# ------------------------------------------------------------------ file show / copy
def file_show(ctx: CommandContext, args: Args) -> Result:
    """``file show <file>``: ``<file-content>`` as in file-show.pyez.xml.

    Raises UnknownTargetError for a missing file.
    """
    model = ctx.router
    slot, raw = _split_target(model, ctx, str(args.get("filename", "")))
    path = resolve_path(raw, home_of(ctx.user))
    data = read_file(model, slot, path)
    if data is None:
        raise UnknownTargetError(f"could not resolve file: {raw}")
    return Result([file_content(ctx, raw, data)], data.decode(errors="replace"))


def file_content(ctx: CommandContext, filename: str, data: bytes) -> etree._Element:
    """Return ``<file-content filename=... junos:seconds filesize encoding="text">``."""
    ns = junos_ns(ctx.version)
    el = etree.Element("file-content", nsmap={"junos": ns})
    el.set("filename", filename)
    el.set(f"{{{ns}}}seconds", str(int(ctx.router.clock.now())))
    el.set("filesize", str(len(data)))
    el.set("encoding", "text")
    el.text = data.decode(errors="replace")
    return el


def file_copy(ctx: CommandContext, args: Args) -> Result:
    """``file copy <source> <destination>``, either side may be ``reN:/path``; the copy belongs
    to the user who made it.

    Raises UnknownTargetError (missing source, unreachable RE).
    """
    model = ctx.router
    src_slot, src = _split_target(model, ctx, str(args.get("source", "")))
    dst_slot, dst = _split_target(model, ctx, str(args.get("destination", "")))
    model.require_file_copy(src_slot, dst_slot)
    home = home_of(ctx.user)
    src = resolve_path(src, home)
    data = read_file(model, src_slot, src)
    if data is None:
        raise UnknownTargetError(f"could not resolve file: {src}")
    dst = resolve_path(dst, home)
    target_fs = listing_fs(ctx, dst_slot)
    existing = target_fs.get(dst)
    if dst.endswith("/") or (existing is not None and existing.kind is FileKind.DIRECTORY):
        dst = dst.rstrip("/") + "/" + posixpath.basename(src)
    target = model.chassis.re(dst_slot)
    target.files[dst] = data
    target.file_mtimes[dst] = model.clock.now()
    target.file_owners[dst] = ctx.user
    source_re = model.chassis.re(src_slot)
    if src in source_re.file_kinds:
        target.file_kinds[dst] = source_re.file_kinds[src]
    return Result([], "")
