"""``file list | show | copy`` on the RE's own files.

Chapter "Copy a Configuration File from One Routing Engine to Another": ``file copy <source>
re1:/var/tmp/`` copies over the internal link to the other RE.  ``/config/juniper.conf`` and
``/var/log/mastership`` are live views of the committed configuration and the log.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from lxml import etree

from emulator.commands.context import CommandContext, Result
from emulator.commands.xmlutil import junos_ns, output_element
from emulator.model.errors import UnknownTargetError
from emulator.model.router import RouterModel
from emulator.model.routing_engine import RoutingEngine

__all__ = ["file_copy", "file_list", "file_show"]

Args = Mapping[str, str | bool]



def _files(model: RouterModel, r: RoutingEngine) -> dict[str, bytes]:
    """Return the RE's files, the live ones included."""
    live = {
        "/config/juniper.conf": model.configs[r.slot].committed_text().encode(),
        "/var/log/mastership": r.log.render().encode(),
    }
    return {**r.files, **live}


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


def file_list(ctx: CommandContext, args: Args) -> Result:
    """``file list [path]``: the chapter's brief listing (``.pccardd=``, ``jbundle...tgz*``)."""
    model = ctx.router
    home = f"/var/home/{ctx.user}"
    slot, path = _split_target(model, ctx, str(args.get("path") or home))
    path = _norm(path, home)
    r = model.chassis.re(slot)
    files = _files(model, r)
    directory = path.rstrip("/") or "/"
    names = sorted(p[len(directory) + 1:] for p in files
                   if p.startswith(directory + "/") and "/" not in p[len(directory) + 1:])
    if path.rstrip("/") in files:
        directory, names = "", [path.rstrip("/")]
    elif not names and directory not in _dirs(files) and directory != home:
        text = f"{path}: No such file or directory"
        return Result([output_element(text)], text)
    ns = junos_ns(r.hardware.version)
    root = etree.Element("directory-list", nsmap={"junos": ns})
    root.set("root-path", directory or path)
    root.set(f"{{{ns}}}seconds", str(int(model.clock.now())))
    root.set(f"{{{ns}}}style", "brief")
    d = etree.SubElement(root, "directory", name=directory)
    for name in names:
        info = etree.SubElement(d, "file-information")
        etree.SubElement(info, "file-name").text = name
        full = f"{directory}/{name}" if directory else name
        etree.SubElement(info, "file-size").text = str(len(files.get(full, b"")))
    suffix = r.file_kinds
    lines = [f"{directory or path}:"] if directory else []
    lines += [name + suffix.get(f"{directory}/{name}", "") for name in names]
    return Result([root], "\n".join(lines))


def _dirs(files: Mapping[str, bytes]) -> set[str]:
    out: set[str] = set()
    for path in files:
        parts = path.split("/")
        for i in range(2, len(parts)):
            out.add("/".join(parts[:i]))
    return out


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
    """``file copy <source> <destination>``, either side may be ``reN:/path``.

    Raises UnknownTargetError (missing source, unreachable RE).
    """
    model = ctx.router
    src_slot, src = _split_target(model, ctx, str(args.get("source", "")))
    dst_slot, dst = _split_target(model, ctx, str(args.get("destination", "")))
    home = f"/var/home/{ctx.user}"
    src = _norm(src, home)
    data = _files(model, model.chassis.re(src_slot)).get(src)
    if data is None:
        raise UnknownTargetError(f"could not resolve file: {src}")
    dst = _norm(dst, home)
    if dst.endswith("/"):
        dst += posixpath.basename(src)
    target = model.chassis.re(dst_slot)
    target.files[dst] = data
    target.file_mtimes[dst] = model.clock.now()
    return Result([], "")
