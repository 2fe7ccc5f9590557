"""Configuration RPCs: Junos ``load-/get-/commit-configuration``, ``lock``/``unlock`` and their
RFC 6241 counterparts (``get-config``, ``edit-config``, ``commit``, ``discard-changes``,
``validate``), on the configuration database of the RE the session is on.

Reply shapes: NOTES.md 3.6 and the samples ``get-configuration.full.pyez.xml`` (``junos:commit-*``
attributes), ``load-configuration.error.pyez.xml`` (errors inside
``<load-configuration-results>``), ``commit-configuration.utils.pyez.xml`` (commit errors as
``<rpc-error>``), commit synchronize as re0 check, re1 check, re1 commit, re0 commit (D3).
"""

from __future__ import annotations

import math
import time

from lxml import etree

from emulator.commands.context import CommandContext, Request, Result
from emulator.commands.junos_json import config_xml_from_json
from emulator.commands.xmlutil import junos_ns
from emulator.model import config as cfg
from emulator.model.config_errors import CommitCheckError, ConfigError
from emulator.model.config_syntax import Mode, Word, spell
from emulator.model.config_text import render_at
from emulator.model.config_tree import PathStep, find
from emulator.netconf.errors import RpcError

__all__ = [
    "commit",
    "discard_changes",
    "edit_config",
    "get",
    "get_config",
    "get_configuration",
    "load_configuration",
    "lock",
    "open_close",
    "path_filter",
    "unlock",
    "validate",
]

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


def _db(ctx: CommandContext) -> cfg.ConfigDatabase:
    return ctx.router.configs[ctx.slot]


# ------------------------------------------------------------------ lock / unlock
def lock(ctx: CommandContext, req: Request) -> Result:
    """``lock-configuration`` / RFC 6241 ``<lock>``.  Raises ConfigLockedError."""
    _db(ctx).lock(ctx.session_id, ctx.user, since=ctx.router.clock.now())
    return Result([], ok=True)


def unlock(ctx: CommandContext, req: Request) -> Result:
    """``unlock-configuration`` / ``<unlock>``.  Raises ConfigLockedError (not the holder)."""
    _db(ctx).unlock(ctx.session_id)
    return Result([], ok=True)


def open_close(ctx: CommandContext, req: Request) -> Result:
    """``open-/close-configuration``: private databases share the candidate here."""
    return Result([], ok=True)


# ------------------------------------------------------------------------- load
def load_configuration(ctx: CommandContext, req: Request) -> Result:
    """``load-configuration``: errors inside ``<load-configuration-results>``, never raised.

    Each statement the schema refuses is one ``<rpc-error>`` naming its word in
    ``<bad-element>`` (load-configuration.error.pyez.xml), the recovery error of a refused
    block included; the rest of a text or set load is loaded (Junos), an XML load is all or
    nothing.
    """
    db = _db(ctx)
    results = etree.Element(f"{{{NC_NS}}}load-configuration-results", nsmap={None: NC_NS})
    try:
        rollback = req.attrs.get("rollback")
        if rollback is not None:
            db.rollback(int(rollback), session_id=ctx.session_id)
            loaded = cfg.LoadResult()
        else:
            data, fmt = _load_payload(req)
            action = req.attrs.get("action", "merge")
            loaded = db.load(data, format=fmt, action="set" if action == "set" else action,
                             session_id=ctx.session_id, partial=True)
    except (ConfigError, ValueError) as exc:
        results.append(_load_error(exc).to_element())
        return Result([results])
    for warning in loaded.warnings:
        results.append(RpcError("protocol", "operation-failed", "warning",
                                warning).to_element())
    for problem in loaded.problems:
        results.append(_load_error(problem.error).to_element())
    if not loaded.problems:
        etree.SubElement(results, f"{{{NC_NS}}}ok")
    return Result([results])


def _load_error(exc: Exception) -> RpcError:
    """Return one refusal of a load as the sample shapes it: the message, the bad token."""
    tag = getattr(exc, "bad_element", None)
    return RpcError("protocol", "operation-failed", "error", str(exc),
                    info={"bad-element": tag} if tag else None)


def _load_payload(req: Request) -> tuple[str | etree._Element, str]:
    for name, fmt in (("configuration-text", "text"), ("configuration-set", "set")):
        child = req.child(name)
        if child is not None:
            return child.text or "", fmt
    child = req.child("configuration")
    if child is not None:
        return child, "xml"
    child = req.child("configuration-json")
    if child is not None:  # Junos JSON, loaded as the XML it stands for
        return config_xml_from_json(child.text or ""), "xml"
    raise ValueError("load-configuration: expected <configuration>, <configuration-text>, "
                     "<configuration-set> or <configuration-json>")


# -------------------------------------------------------------------------- get
def _config_element(ctx: CommandContext, tree: cfg.ConfigNode) -> etree._Element:
    el = cfg.render_xml(tree)
    ns = junos_ns(ctx.version)
    record = next(iter(_db(ctx).history), None)
    if record is not None:
        el.set(f"{{{ns}}}commit-seconds", str(int(record.time)))
        el.set(f"{{{ns}}}commit-localtime", _stamp(record.time))
        el.set(f"{{{ns}}}commit-user", record.user)
    return el


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def path_filter(words: list[str]) -> etree._Element:
    """Return the ``<configuration>`` filter of the statement path ``words`` (CLI
    abbreviations allowed): ``chassis redundancy`` -> ``<configuration><chassis>
    <redundancy/></chassis></configuration>``.  Raises ConfigSyntaxError."""
    spelled = spell([Word(w) for w in words], mode=Mode.PATTERN, abbreviate=True)
    skeleton = cfg.ConfigNode.root()
    find(skeleton, spelled.path + (PathStep(spelled.tip.name, spelled.tip.key),), create=True)
    return cfg.render_xml(skeleton)


def _filter(tree: cfg.ConfigNode, spec: etree._Element | None) -> cfg.ConfigNode:
    """Keep the subtrees named by a ``<configuration>`` filter (top-level and nested names)."""
    if spec is None or len(spec) == 0:
        return tree
    filt, _ = cfg.parse_xml(spec, loose=True)
    return _intersect(tree, filt)


def _intersect(tree: cfg.ConfigNode, filt: cfg.ConfigNode) -> cfg.ConfigNode:
    out = tree.copy()
    out.children = []
    for want in filt.children:
        have = [c for c in tree.children if c.name == want.name
                and (want.key is None or c.key == want.key)]
        out.children += [_intersect(h, want) if want.children else h.copy() for h in have]
    return out


def _filter_path(spec: etree._Element) -> tuple[tuple[PathStep, ...], cfg.ConfigNode] | None:
    """Return (path, pattern) of a filter naming one statement (``show configuration
    chassis redundancy``), or None for a filter naming several."""
    node, _ = cfg.parse_xml(spec, loose=True)
    steps: list[PathStep] = []
    while len(node.children) == 1:
        node = node.children[0]
        steps.append(PathStep(node.name, node.key))
    if not steps or node.children:
        return None
    last = steps.pop()
    return tuple(steps), cfg.ConfigNode(last.name, cfg.NodeKind.ENTRY if last.key is not None
                                        else cfg.NodeKind.CONTAINER, last.key)


def _shown_text(ctx: CommandContext, tree: cfg.ConfigNode, committed: bool,
                spec: etree._Element | None) -> str:
    """Return ``show configuration``'s text: the ``## Last commit`` line (committed database)
    and the curly form (sample command.text.show-configuration.pyez.xml); for a hierarchy
    (``show configuration chassis``) what is inside it, as Junos shows it."""
    at = _filter_path(spec) if spec is not None and len(spec) else None
    if at is not None:
        return render_at(tree, *at)
    record = next(iter(_db(ctx).history), None)
    head = f"## Last commit: {_stamp(record.time)} by {record.user}\n" \
        if committed and record is not None and spec is None else ""
    return head + cfg.render_text(tree)


def get_configuration(ctx: CommandContext, req: Request) -> Result:
    """``get-configuration`` and ``show configuration`` (which implies database="committed").

    Attributes (NOTES.md 3.13): ``database`` (candidate by default), ``inherit="inherit"``,
    ``compare="rollback" rollback="N"``, ``format`` xml | text (``<configuration-text>``) | set
    (``<configuration-set>``); a ``<configuration>`` child filters the subtrees returned.
    The text form is ``show configuration``'s, with its ``## Last commit`` line.
    """
    db = _db(ctx)
    if req.attrs.get("compare") == "rollback":
        text = db.compare(int(req.attrs.get("rollback", "0")))
        info = etree.Element("configuration-information")
        # No difference is one newline, as Junos sends it (PyEZ Config.diff reads "\n" as
        # "no diff"; Ansible junos_config reads an empty element as a change).
        etree.SubElement(info, "configuration-output").text = text or "\n"
        return Result([info], text)
    committed = req.attrs.get("database", "candidate") != "candidate"
    tree = db.committed if committed else db.candidate
    if req.attrs.get("inherit") == "inherit":
        tree = db.effective(ctx.slot, candidate=not committed)
    spec = req.child("configuration")
    tree = _filter(tree, spec)
    text = _shown_text(ctx, tree, committed, spec)
    fmt = req.attrs.get("format", "xml")
    if fmt in ("text", "set"):
        el = etree.Element(f"configuration-{fmt}")
        el.text = cfg.render_text(tree) if fmt == "text" else "\n".join(cfg.render_set(tree))
        return Result([el], text)
    return Result([_config_element(ctx, tree)], text)


def get_config(ctx: CommandContext, req: Request) -> Result:
    """RFC 6241 ``<get-config>``: ``<data>`` holding the source's ``<configuration>``."""
    source = req.child("source")
    which = etree.QName(source[0]).localname if source is not None and len(source) else \
        "running"
    db = _db(ctx)
    data = etree.Element(f"{{{NC_NS}}}data", nsmap={None: NC_NS})
    data.append(_config_element(ctx, db.candidate if which == "candidate" else db.committed))
    return Result([data])


def get(ctx: CommandContext, req: Request) -> Result:
    """RFC 6241 7.7 ``<get>``: Junos answers with the running configuration in ``<data>``;
    no state data is modelled, so it is ``<get-config>`` of ``running`` (netconf-console2
    ``--get``)."""
    return get_config(ctx, Request())


def edit_config(ctx: CommandContext, req: Request) -> Result:
    """RFC 6241 ``<edit-config>`` of the candidate.  Raises RpcError without a payload."""
    config = req.child("config")
    inner = next((c for c in config if isinstance(c.tag, str)
                  and etree.QName(c).localname == "configuration"), None) \
        if config is not None else None
    if inner is None:
        raise RpcError("protocol", "missing-element", "error",
                       "edit-config: expected <config><configuration>...",
                       info={"bad-element": "config"})
    action = {"replace": "override"}.get(req.text("default-operation") or "", "merge")
    _db(ctx).load(inner, format="xml", action=action, session_id=ctx.session_id)
    return Result([], ok=True)


def discard_changes(ctx: CommandContext, req: Request) -> Result:
    """RFC 6241 ``<discard-changes>``: the candidate goes back to the committed database."""
    _db(ctx).discard(session_id=ctx.session_id)
    return Result([], ok=True)


# ----------------------------------------------------------------------- commit
def commit(ctx: CommandContext, req: Request) -> Result:
    """``commit-configuration`` / RFC 6241 ``<commit>``: ``<commit-results>`` with a
    ``<routing-engine>`` per step, warnings before it (the row shows them as rpc-errors).

    Raises RpcError for a failed check (messages, then "configuration check-out failed").
    """
    sync = "synchronize" in req or "force-synchronize" in req
    check = "check" in req
    if check and "force-synchronize" in req:
        raise RpcError("protocol", "operation-failed", "error",
                       "force-synchronize cannot be combined with check")
    # The timeout is checked before anything is committed: a bad one changes nothing.
    confirm = _confirm_seconds(req) if "confirmed" in req and not check else None
    log = req.text("log") or None
    if confirm is not None:
        # Junos's own comment on a confirmed commit (NAPALM has_pending_commit reads it).
        log = f"commit confirmed, rollback in {math.ceil(confirm / 60)}mins"
    try:
        outcome = ctx.router.commit(ctx.slot, ctx.user, synchronize=sync, check=check,
                                    log=log, session_id=ctx.session_id)
    except CommitCheckError as exc:
        raise _check_error(exc) from exc
    if confirm is not None:
        ctx.router.confirm_commit_within(ctx.slot, confirm)
    results = etree.Element("commit-results")
    for re_name, step in outcome.steps:
        entry = etree.SubElement(results, "routing-engine")
        if sync:
            entry.set(f"{{{junos_ns(ctx.version)}}}style", "show-name")
        etree.SubElement(entry, "name").text = re_name
        etree.SubElement(entry, "commit-check-success" if step == "check" else "commit-success")
    # With warnings, <ok/> tells ncclient/PyEZ the commit itself succeeded (NOTES.md 3.6).
    return Result([results], warnings=list(outcome.warnings), ok=bool(outcome.warnings))


def _check_error(exc: CommitCheckError) -> RpcError:
    """Return a failed commit check as Junos answers it: the details, then the summary
    ("configuration check-out failed", with "(missing mandatory statements)" when a mandatory
    statement is missing; the first one named by its ``[edit]`` path and statement)."""
    lines = [*exc.messages, exc.summary()]
    if not exc.missing:
        return RpcError("protocol", "operation-failed", "error", "\n".join(lines))
    first = exc.missing[0]
    lines[:len(exc.missing)] = [f"mgd: {m.message()}" for m in exc.missing]
    return RpcError("application", "invalid-value", "error", "\n".join(lines),
                    info={"bad-element": first.statement}, path=first.edit_path)


def _confirm_seconds(req: Request) -> float:
    """Return the confirmed-commit timeout in seconds: Junos ``commit-configuration`` counts
    ``confirm-timeout`` in minutes (default 10, NOTES.md 3.6); RFC 6241 8.4.5 ``<commit>``
    counts seconds (default 600).  Raises RpcError for a value that is not a number."""
    raw = req.text("confirm-timeout")
    rfc = req.element is not None and etree.QName(req.element).localname == "commit"
    if not raw:
        return 600.0
    # Junos: 1..65535 minutes; RFC 6241: an unsigned 32-bit count of seconds, not 0.
    top = 4294967295 if rfc else 65535
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= top:
        raise RpcError("protocol", "invalid-value", "error",
                       f"invalid confirm-timeout: {raw} (expected an integer 1..{top})")
    return float(value) if rfc else value * 60.0


def validate(ctx: CommandContext, req: Request) -> Result:
    """RFC 6241 ``<validate>``: a commit check of the candidate.  Raises RpcError."""
    try:
        _db(ctx).check()
    except CommitCheckError as exc:
        raise _check_error(exc) from exc
    return Result([], ok=True)
