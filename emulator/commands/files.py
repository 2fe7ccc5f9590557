"""``file list | show | copy`` on the RE's own files.

Chapter "Copy a Configuration File from One Routing Engine to Another": ``file copy <source>
re1:/var/tmp/`` copies over the internal link to the other RE.  ``/config/juniper.conf`` and
``/var/log/mastership`` are live views of the committed configuration and the log.

``file list <dir> detail`` answers ``<directory-list junos:style="verbose">`` with each file's
permissions, owner, group, links, size and date as the samples ``file-list.dir.pyez.xml`` /
``file-list.file.pyez.xml`` show; its text is the ``ls -l`` layout under the ``<dir>:`` header
(``file-list.text.genie.txt``) with ``total blocks:`` / ``total files:`` lines.
"""

from __future__ import annotations

import math
import posixpath
import time
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from emulator.commands.context import CommandContext, Result
from emulator.commands.xmlutil import junos_ns, output_element
from emulator.model.errors import UnknownTargetError
from emulator.model.router import RouterModel
from emulator.model.routing_engine import RoutingEngine

__all__ = ["file_copy", "file_list", "file_show", "read_file"]

Args = Mapping[str, str | bool]

#: Permission bits and ``ls`` mode per ``file list`` kind ("" plain, "*" executable, "="
#: socket, "/" directory).
_MODES = {"": (0o644, "-rw-r--r--"), "*": (0o755, "-rwxr-xr-x"),
          "=": (0o777, "srwxrwxrwx"), "/": (0o755, "drwxr-xr-x")}
_KIND_TAGS = {"*": "file-executable", "=": "file-socket", "/": "file-directory"}


def _files(model: RouterModel, r: RoutingEngine) -> dict[str, bytes]:
    """Return the RE's files, the live ones included."""
    live = {
        "/config/juniper.conf": model.configs[r.slot].committed_text().encode(),
        "/var/log/mastership": r.log.render().encode(),
    }
    return {**r.files, **live}


def read_file(model: RouterModel, slot: int, path: str) -> bytes | None:
    """Return the contents of ``path`` on RE ``slot`` (live files included), or None."""
    return _files(model, model.chassis.re(slot)).get(path)


def _split_target(model: RouterModel, ctx: CommandContext, path: str) -> tuple[int, str]:
    """Return (slot, path) for ``re1:/var/tmp/x`` style names (the local RE by default)."""
    head, sep, rest = path.partition(":")
    if sep and head in {f"re{s}" for s in model.chassis.res}:
        slot = int(head[2:])
        if slot != ctx.slot and not model.chassis.reachable(ctx.slot, slot):
            raise UnknownTargetError(f"Could not connect to {head} : No route to host")
        return slot, rest or "/var/tmp/"
    return ctx.slot, path


def _norm(path: str, home: str) -> str:
    if path in ("~", "") or path.startswith("~/"):
        path = home + path[1:]
    return posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One line of a listing: a file (or subdirectory) and what ``detail`` shows of it."""

    name: str
    kind: str
    owner: str
    size: int
    mtime: float

    def blocks(self) -> int:
        return math.ceil(self.size / 512)


def _entries(model: RouterModel, r: RoutingEngine, directory: str) -> list[_Entry]:
    files = _files(model, r)
    now = model.clock.now()
    out: dict[str, _Entry] = {}
    for path, data in files.items():
        if not path.startswith(directory + "/"):
            continue
        rest = path[len(directory) + 1:]
        name, _, below = rest.partition("/")
        if below:
            out.setdefault(name, _Entry(name, "/", "root", 512, now))
        else:
            out[name] = _Entry(name, r.file_kinds.get(path, ""), r.file_owners.get(
                path, "root"), len(data), r.file_mtimes.get(path, now))
    return [out[name] for name in sorted(out)]


def _dirs(files: Mapping[str, bytes]) -> set[str]:
    out: set[str] = set()
    for path in files:
        parts = path.split("/")
        for i in range(2, len(parts)):
            out.add("/".join(parts[:i]))
    return out


def _date(seconds: float) -> str:
    """Return ``Feb 17 15:30`` (the sample's ``junos:format``; the day padded as ``ls``)."""
    tm = time.gmtime(seconds)
    return f"{time.strftime('%b', tm)} {tm.tm_mday:2d} {time.strftime('%H:%M', tm)}"


def _detail_xml(info: etree._Element, e: _Entry, ns: str) -> None:
    bits, mode = _MODES.get(e.kind, _MODES[""])
    if e.kind in _KIND_TAGS:
        etree.SubElement(info, _KIND_TAGS[e.kind], {f"{{{ns}}}format": e.kind})
    etree.SubElement(info, "file-permissions", {f"{{{ns}}}format": mode}).text = f"{bits:o}"
    etree.SubElement(info, "file-owner").text = e.owner
    etree.SubElement(info, "file-group").text = "wheel"
    etree.SubElement(info, "file-links").text = "2" if e.kind == "/" else "1"
    etree.SubElement(info, "file-size").text = str(e.size)
    etree.SubElement(info, "file-date", {f"{{{ns}}}format": _date(e.mtime)}).text = \
        str(int(e.mtime))


def _detail_lines(entries: list[_Entry]) -> list[str]:
    """Return the ``ls -l`` lines of ``file list ... detail``."""
    owner_w = max((len(e.owner) for e in entries), default=4)
    size_w = max((len(str(e.size)) for e in entries), default=1)
    return [f"{_MODES.get(e.kind, _MODES[''])[1]}  {'2' if e.kind == '/' else '1'} "
            f"{e.owner:<{owner_w}}  wheel  {e.size:>{size_w}} {_date(e.mtime)} {e.name}"
            for e in entries]


def file_list(ctx: CommandContext, args: Args) -> Result:
    """``file list [path] [detail]``: the chapter's brief listing (``.pccardd=``,
    ``jbundle...tgz*``), or with ``detail`` the samples' verbose one."""
    model = ctx.router
    home = f"/var/home/{ctx.user}"
    slot, path = _split_target(model, ctx, str(args.get("path") or home + "/"))
    path = _norm(path, home)
    r = model.chassis.re(slot)
    files = _files(model, r)
    detail = bool(args.get("detail"))
    directory = path.rstrip("/") or "/"
    entries = _entries(model, r, directory)
    single = path.rstrip("/") in files
    if single:
        one = path.rstrip("/")
        entries = [_Entry(one, r.file_kinds.get(one, ""), r.file_owners.get(one, "root"),
                          len(files[one]), r.file_mtimes.get(one, model.clock.now()))]
    elif not entries and directory not in _dirs(files) and directory != home:
        text = f"{path}: No such file or directory"
        return Result([output_element(text)], text)
    shown = "" if single else directory.rstrip("/") + "/"
    ns = junos_ns(r.hardware.version)
    root = etree.Element("directory-list", nsmap={"junos": ns})
    root.set("root-path", shown or path)
    root.set(f"{{{ns}}}seconds", str(int(model.clock.now())))
    root.set(f"{{{ns}}}style", "verbose" if detail else "brief")
    d = etree.SubElement(root, "directory", name=shown)
    if not single:
        etree.SubElement(d, "directory-name").text = shown
        etree.SubElement(d, "total-file-blocks").text = str(sum(e.blocks() for e in entries))
    for e in entries:
        info = etree.SubElement(d, "file-information")
        etree.SubElement(info, "file-name").text = e.name
        if detail:
            _detail_xml(info, e, ns)
        elif e.kind in _KIND_TAGS:
            etree.SubElement(info, _KIND_TAGS[e.kind], {f"{{{ns}}}format": e.kind})
    etree.SubElement(d, "total-files").text = str(sum(1 for e in entries if e.kind != "/"))
    lines = [f"{shown}:"] if shown else []
    if detail:
        lines += [f"total blocks: {sum(e.blocks() for e in entries)}"] if shown else []
        lines += _detail_lines(entries)
        lines += [f"total files: {sum(1 for e in entries if e.kind != '/')}"] if shown else []
    else:
        lines += [e.name + e.kind for e in entries]
    return Result([root], "\n".join(lines))


def file_show(ctx: CommandContext, args: Args) -> Result:
    """``file show <file>``: ``<file-content>`` as in file-show.pyez.xml.

    Raises UnknownTargetError for a missing file.
    """
    model = ctx.router
    slot, path = _split_target(model, ctx, str(args.get("filename", "")))
    r = model.chassis.re(slot)
    data = _files(model, r).get(_norm(path, f"/var/home/{ctx.user}"))
    if data is None:
        raise UnknownTargetError(f"could not resolve file: {path}")
    ns = junos_ns(r.hardware.version)
    el = etree.Element("file-content", nsmap={"junos": ns})
    el.set("filename", path)
    el.set(f"{{{ns}}}seconds", str(int(model.clock.now())))
    el.set("filesize", str(len(data)))
    el.set("encoding", "text")
    text = data.decode(errors="replace")
    el.text = text
    return Result([el], text)


def file_copy(ctx: CommandContext, args: Args) -> Result:
    """``file copy <source> <destination>``, either side may be ``reN:/path``; the copy
    belongs to the user who made it.

    Raises UnknownTargetError (missing source, unreachable RE).
    """
    model = ctx.router
    src_slot, src = _split_target(model, ctx, str(args.get("source", "")))
    dst_slot, dst = _split_target(model, ctx, str(args.get("destination", "")))
    model.require_file_copy(src_slot, dst_slot)
    home = f"/var/home/{ctx.user}"
    src = _norm(src, home)
    source_re = model.chassis.re(src_slot)
    data = _files(model, source_re).get(src)
    if data is None:
        raise UnknownTargetError(f"could not resolve file: {src}")
    dst = _norm(dst, home)
    if dst.endswith("/"):
        dst += posixpath.basename(src)
    target = model.chassis.re(dst_slot)
    target.files[dst] = data
    target.file_mtimes[dst] = model.clock.now()
    target.file_owners[dst] = ctx.user
    if src in source_re.file_kinds:
        target.file_kinds[dst] = source_re.file_kinds[src]
    return Result([], "")
