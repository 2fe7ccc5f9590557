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
from dataclasses import dataclass, field

from lxml import etree

from emulator.commands.table import CommandContext
from emulator.commands.xmlutil import junos_ns
from emulator.model import config as cfg
from emulator.model.config_errors import CommitCheckError, ConfigError
from emulator.model.router import RouterModel
from emulator.netconf.errors import RpcError

__all__ = ["ConfigReply", "handle"]

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


@dataclass(slots=True)
class ConfigReply:
    """Body, leading rpc-errors (warnings) and whether to add ``<ok/>``."""

    body: list[etree._Element] = field(default_factory=list)
    errors: list[RpcError] = field(default_factory=list)
    ok: bool = False


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _child(op: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in op if isinstance(c.tag, str) and _local(c) == name), None)


def _flag(op: etree._Element, name: str) -> bool:
    return _child(op, name) is not None


def _error(exc: ConfigError) -> RpcError:
    messages = exc.messages if isinstance(exc, CommitCheckError) else [str(exc)]
    return RpcError("protocol", exc.tag, "error", "\n".join(messages))


def handle(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply | None:
    """Run configuration RPC ``op``; return None when ``op`` is not one.

    Raises RpcError for a refused operation.
    """
    name = _local(op)
    handler = _HANDLERS.get(name)
    if handler is None:
        return None
    try:
        return handler(model, ctx, op)
    except ConfigError as exc:
        raise _error(exc) from exc


def _db(model: RouterModel, ctx: CommandContext) -> cfg.ConfigDatabase:
    return model.configs[ctx.slot]


def _sid(ctx: CommandContext) -> int:
    return int(str(ctx.extra.get("session_id", 0)))


# ------------------------------------------------------------------ lock / unlock
def _lock(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    _db(model, ctx).lock(_sid(ctx), ctx.user, since=model.clock.now())
    return ConfigReply(ok=True)


def _unlock(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    _db(model, ctx).unlock(_sid(ctx))
    return ConfigReply(ok=True)


def _open_close(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    # open-/close-configuration (private databases) share the candidate here.
    return ConfigReply(ok=True)


# ------------------------------------------------------------------------- load
def _load(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    db = _db(model, ctx)
    results = etree.Element(f"{{{NC_NS}}}load-configuration-results", nsmap={None: NC_NS})
    try:
        rollback = op.get("rollback")
        if rollback is not None:
            db.rollback(int(rollback), session_id=_sid(ctx))
        else:
            data, fmt = _load_payload(op)
            action = op.get("action", "merge")
            loaded = db.load(data, format=fmt, action="set" if action == "set" else action,
                             session_id=_sid(ctx))
            for warning in loaded.warnings:
                results.append(RpcError("protocol", "operation-failed", "warning",
                                        warning).to_element())
    except (ConfigError, ValueError) as exc:
        # As in load-configuration.error.pyez.xml: the errors sit inside the results.
        tag = getattr(exc, "bad_element", None)
        err = RpcError("protocol", "operation-failed", "error", str(exc),
                       info={"bad-element": tag} if tag else None)
        results.append(err.to_element())
        return ConfigReply([results])
    etree.SubElement(results, f"{{{NC_NS}}}ok")
    return ConfigReply([results])


def _load_payload(op: etree._Element) -> tuple[str | etree._Element, str]:
    for name, fmt in (("configuration-text", "text"), ("configuration-set", "set")):
        child = _child(op, name)
        if child is not None:
            return child.text or "", fmt
    child = _child(op, "configuration")
    if child is not None:
        return child, "xml"
    raise ValueError("load-configuration: expected <configuration>, <configuration-text> or "
                     "<configuration-set>")


# -------------------------------------------------------------------------- get
def _config_element(model: RouterModel, ctx: CommandContext, tree: cfg.ConfigNode
                    ) -> etree._Element:
    el = cfg.render_xml(tree)
    version = model.chassis.re(ctx.slot).hardware.version
    ns = junos_ns(version)
    record = next(iter(_db(model, ctx).history), None)
    if record is not None:
        el.set(f"{{{ns}}}commit-seconds", str(int(record.time)))
        el.set(f"{{{ns}}}commit-localtime",
               time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(record.time)))
        el.set(f"{{{ns}}}commit-user", record.user)
    return el


def _filter(tree: cfg.ConfigNode, spec: etree._Element | None) -> cfg.ConfigNode:
    """Keep the subtrees named by a ``<configuration>`` filter (top-level and nested names)."""
    if spec is None or len(spec) == 0:
        return tree
    filt, _ = cfg.parse_xml(spec)
    return _intersect(tree, filt)


def _intersect(tree: cfg.ConfigNode, filt: cfg.ConfigNode) -> cfg.ConfigNode:
    out = tree.copy()
    out.children = []
    for want in filt.children:
        have = tree.child(want.name, want.key) if want.key is not None else next(
            (c for c in tree.children if c.name == want.name), None)
        if have is None:
            continue
        out.children.append(_intersect(have, want) if want.children else have.copy())
    return out


def _get_configuration(model: RouterModel, ctx: CommandContext, op: etree._Element
                       ) -> ConfigReply:
    db = _db(model, ctx)
    if op.get("compare") == "rollback":
        text = db.compare(int(op.get("rollback", "0")))
        info = etree.Element("configuration-information")
        etree.SubElement(info, "configuration-output").text = text
        return ConfigReply([info])
    candidate = op.get("database", "candidate") == "candidate"
    tree = db.candidate if candidate else db.committed
    if op.get("inherit") == "inherit":
        tree = db.effective(ctx.slot, candidate=candidate)
    tree = _filter(tree, _child(op, "configuration"))
    fmt = op.get("format", "xml")
    if fmt == "text":
        el = etree.Element("configuration-text")
        el.text = cfg.render_text(tree)
        return ConfigReply([el])
    if fmt == "set":
        el = etree.Element("configuration-set")
        el.text = "\n".join(cfg.render_set(tree))
        return ConfigReply([el])
    return ConfigReply([_config_element(model, ctx, tree)])


def _get_config(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    source = _child(op, "source")
    which = _local(source[0]) if source is not None and len(source) else "running"
    db = _db(model, ctx)
    tree = db.candidate if which == "candidate" else db.committed
    data = etree.Element(f"{{{NC_NS}}}data", nsmap={None: NC_NS})
    data.append(_config_element(model, ctx, tree))
    return ConfigReply([data])


def _edit_config(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    config = _child(op, "config")
    inner = _child(config, "configuration") if config is not None else None
    if inner is None:
        raise RpcError("protocol", "missing-element", "error",
                       "edit-config: expected <config><configuration>...",
                       info={"bad-element": "config"})
    action = {"replace": "override"}.get(op.findtext("{*}default-operation") or "", "merge")
    _db(model, ctx).load(inner, format="xml", action=action, session_id=_sid(ctx))
    return ConfigReply(ok=True)


def _discard(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    _db(model, ctx).discard(session_id=_sid(ctx))
    return ConfigReply(ok=True)


# ----------------------------------------------------------------------- commit
def _commit(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    sync = _flag(op, "synchronize") or _flag(op, "force-synchronize")
    check = _flag(op, "check")
    if check and _flag(op, "force-synchronize"):
        raise RpcError("protocol", "operation-failed", "error",
                       "force-synchronize cannot be combined with check")
    log = op.findtext("{*}log") or op.findtext("log")
    try:
        outcome = model.commit(ctx.slot, ctx.user, synchronize=sync, check=check, log=log,
                               session_id=_sid(ctx))
    except CommitCheckError as exc:
        raise RpcError("protocol", "operation-failed", "error",
                       "\n".join([*exc.messages, cfg.CHECKOUT_FAILED])) from exc
    if _flag(op, "confirmed") and not check:
        model.confirm_commit_within(ctx.slot, _confirm_seconds(op))
    results = etree.Element("commit-results")
    for re_name, step in outcome.steps:
        entry = etree.SubElement(results, "routing-engine")
        if sync:
            entry.set(f"{{{junos_ns(_version(model, ctx))}}}style", "show-name")
        etree.SubElement(entry, "name").text = re_name
        etree.SubElement(entry, "commit-check-success" if step == "check" else "commit-success")
    warnings = [RpcError("protocol", "operation-failed", "warning", w) for w in outcome.warnings]
    # With warnings, <ok/> tells ncclient/PyEZ the commit itself succeeded (NOTES.md 3.6).
    return ConfigReply([results], warnings, ok=bool(warnings))


def _confirm_seconds(op: etree._Element) -> float:
    """Return the confirmed-commit timeout in seconds: Junos ``commit-configuration`` counts
    ``confirm-timeout`` in minutes (default 10, NOTES.md 3.6); RFC 6241 8.4.5 ``<commit>``
    counts seconds (default 600).  Raises RpcError for a value that is not a number."""
    raw = op.findtext("{*}confirm-timeout") or op.findtext("confirm-timeout")
    try:
        value = float(raw) if raw else None
    except ValueError as exc:
        raise RpcError("protocol", "invalid-value", "error",
                       f"invalid confirm-timeout: {raw}") from exc
    if _local(op) == "commit":
        return value if value is not None else 600.0
    return math.ceil(value if value is not None else 10) * 60.0


def _version(model: RouterModel, ctx: CommandContext) -> str:
    return model.chassis.re(ctx.slot).hardware.version


def _validate(model: RouterModel, ctx: CommandContext, op: etree._Element) -> ConfigReply:
    try:
        _db(model, ctx).check()
    except CommitCheckError as exc:
        raise RpcError("protocol", "operation-failed", "error",
                       "\n".join(exc.messages)) from exc
    return ConfigReply(ok=True)


_HANDLERS = {
    "lock": _lock,
    "lock-configuration": _lock,
    "unlock": _unlock,
    "unlock-configuration": _unlock,
    "open-configuration": _open_close,
    "close-configuration": _open_close,
    "load-configuration": _load,
    "get-configuration": _get_configuration,
    "get-config": _get_config,
    "edit-config": _edit_config,
    "discard-changes": _discard,
    "commit-configuration": _commit,
    "commit": _commit,
    "validate": _validate,
}
