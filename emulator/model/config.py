"""The Junos configuration database of one Routing Engine.

Candidate and committed trees, ``load`` in the three formats Junos accepts (set, curly text,
XML), every statement checked against the configuration schema (``emulator.model.schema``),
``commit`` with its checks (mandatory statements, validators), ``rollback`` (the last 50
commits), ``show | compare``, the exclusive lock, and group inheritance
(``emulator.model.config_groups``).
Typed readers (:func:`redundancy_settings`, :func:`host_name`) give the chassis model what it
needs from an effective configuration.

Pure model: no I/O and no clock; the caller passes commit times.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from emulator.model.config_check import (
    KEEPALIVE_RANGE,
    keepalive_time_validator,
    missing_statements,
)
from emulator.model.config_errors import (
    CHECKOUT_FAILED,
    CommitCheckError,
    ConfigError,
    ConfigLockedError,
    ConfigSyntaxError,
    ConfigValueError,
    LoadProblem,
    RollbackNotFoundError,
)
from emulator.model.config_groups import apply_groups, group_applies
from emulator.model.config_set import parse_set, parse_set_lines, render_set
from emulator.model.config_text import parse_text, render_compare, render_text
from emulator.model.config_tree import (
    ConfigNode,
    Edit,
    EditAction,
    NodeKind,
    apply_edit,
)
from emulator.model.config_xml import parse_xml, render_xml
from emulator.model.routing_engine import Role

__all__ = [
    "CHECKOUT_FAILED",
    "KEEPALIVE_RANGE",
    "MAX_ROLLBACK",
    "CommitCheckError",
    "CommitRecord",
    "CommitResult",
    "ConfigDatabase",
    "ConfigError",
    "ConfigLockedError",
    "ConfigNode",
    "ConfigSyntaxError",
    "ConfigValueError",
    "LoadAction",
    "LoadFormat",
    "LoadProblem",
    "LoadResult",
    "LockInfo",
    "RedundancyConfig",
    "RollbackNotFoundError",
    "Validator",
    "apply_groups",
    "group_applies",
    "host_name",
    "interface_addresses",
    "keepalive_time_validator",
    "parse_set",
    "parse_text",
    "parse_xml",
    "redundancy_settings",
    "render_compare",
    "render_set",
    "render_text",
    "render_xml",
]

#: Junos keeps rollback 0 (the active configuration) to rollback 49.
MAX_ROLLBACK = 50

#: Default keepalive-time (chapter: "The default time before failover ... 300 seconds").
DEFAULT_KEEPALIVE = 300

#: A commit-check rule: returns the error messages for a candidate (empty list = fine).
Validator = Callable[[ConfigNode], list[str]]


class LoadFormat(Enum):
    """The formats ``load`` accepts (``<load-configuration format=...>``)."""

    SET = "set"
    TEXT = "text"
    XML = "xml"


class LoadAction(Enum):
    """How a load combines with the candidate (``<load-configuration action=...>``)."""

    MERGE = "merge"
    REPLACE = "replace"
    OVERRIDE = "override"
    UPDATE = "update"
    SET = "set"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load reports besides success: warnings such as ``statement not found``, and
    (``partial`` loads) the statements the schema refused while the rest was loaded."""

    warnings: tuple[str, ...] = ()
    problems: tuple[LoadProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One kept commit (``show system commit``); ``config`` must not be mutated."""

    time: float
    user: str
    log: str | None
    config: ConfigNode = field(repr=False)


@dataclass(frozen=True, slots=True)
class CommitResult:
    """Outcome of a successful commit or commit check."""

    check_only: bool
    #: True when the candidate differed from the previous committed configuration.
    changed: bool
    record: CommitRecord | None = None


@dataclass(frozen=True, slots=True)
class LockInfo:
    """Who holds the exclusive lock (``configure exclusive`` / ``<lock>``)."""

    session_id: int
    user: str
    since: float


@dataclass(frozen=True, slots=True)
class RedundancyConfig:
    """``chassis redundancy`` and related statements of one effective configuration."""

    #: Configured role per slot; None for ``routing-engine N`` without a role.
    roles: dict[int, Role | None] = field(default_factory=dict)
    failover_on_loss_of_keepalives: bool = False
    keepalive_time: int = DEFAULT_KEEPALIVE
    graceful_switchover: bool = False
    commit_synchronize: bool = False
    #: ``system processes <name> failover <how>``: process name -> how.
    process_failover: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------ readers
def _leaf(node: ConfigNode | None, name: str) -> str | None:
    c = node.child(name) if node is not None else None
    return c.value if c is not None and c.kind is NodeKind.LEAF else None


def _role(entry: ConfigNode) -> Role | None:
    for c in entry.children:
        if c.name in {r.value for r in Role}:
            return Role(c.name)
    return None


def _roles(redundancy: ConfigNode | None) -> dict[int, Role | None]:
    if redundancy is None:
        return {}
    return {int(e.key or ""): _role(e) for e in redundancy.entries("routing-engine")
            if (e.key or "").isdigit()}


def _int_or(value: str | None, default: int) -> int:
    return int(value) if value is not None and value.isdigit() else default


def _process_failover(root: ConfigNode) -> dict[str, str]:
    processes = root.get("system", "processes")
    out: dict[str, str] = {}
    for p in processes.children if processes is not None else []:
        how = _leaf(p, "failover")
        if how is not None:
            out[p.key or p.name] = how
    return out


def redundancy_settings(root: ConfigNode) -> RedundancyConfig:
    """Return the redundancy statements of an effective configuration (defaults if absent).

    Reads ``chassis redundancy routing-engine N (master|backup|disabled)``, ``failover
    on-loss-of-keepalives``, ``keepalive-time`` (default 300), ``graceful-switchover``,
    ``system commit synchronize`` and ``system processes <name> failover <how>``.
    """
    red = root.get("chassis", "redundancy")
    return RedundancyConfig(
        roles=_roles(red),
        failover_on_loss_of_keepalives=root.get(
            "chassis", "redundancy", "failover", "on-loss-of-keepalives") is not None,
        keepalive_time=_int_or(_leaf(red, "keepalive-time"), DEFAULT_KEEPALIVE),
        graceful_switchover=red is not None and red.child("graceful-switchover") is not None,
        commit_synchronize=root.get("system", "commit", "synchronize") is not None,
        process_failover=_process_failover(root),
    )


def host_name(root: ConfigNode) -> str | None:
    """Return ``system host-name`` of an effective configuration, or None."""
    return _leaf(root.get("system"), "host-name")


def interface_addresses(root: ConfigNode, name: str, unit: str) -> tuple[str, ...]:
    """Return the ``family inet address`` entries of ``interfaces <name> unit <unit>`` of an
    effective configuration (the chapter's re0/re1 groups give fxp0 one per RE)."""
    interfaces = root.get("interfaces")
    entry = interfaces.child("interface", name) if interfaces is not None else None
    logical = entry.child("unit", unit) if entry is not None else None
    inet = logical.get("family", "inet") if logical is not None else None
    return tuple(str(a.key) for a in inet.entries("address")) if inet is not None else ()


# ------------------------------------------------------------------ the database
def _choice(value: str | Enum, enum: type[LoadFormat] | type[LoadAction]) -> Enum:
    try:
        return enum(value.value if isinstance(value, Enum) else value)
    except ValueError:
        raise ConfigSyntaxError(str(value), f"invalid {enum.__name__}: {value}") from None


def _as_text(data: str | bytes | etree._Element) -> str:
    if isinstance(data, bytes):
        return data.decode()
    if isinstance(data, str):
        return data
    raise ConfigSyntaxError(etree.QName(data).localname, "syntax error, expecting text")


#: The deepest statement a configuration may hold (levels below ``<configuration>``).  Junos's
#: own hierarchy is far shallower; the bound keeps every recursive walk of the tree (copy,
#: render, compare) well within Python's recursion limit.
MAX_DEPTH = 40
_TOO_DEEP = f"syntax error: statements nested deeper than {MAX_DEPTH} levels"


def _depth(root: ConfigNode) -> int:
    """Return how many levels ``root`` holds below itself (iteratively: any depth)."""
    deepest, todo = 0, [(root, 0)]
    while todo:
        node, level = todo.pop()
        deepest = max(deepest, level)
        todo.extend((child, level + 1) for child in node.children)
    return deepest


def _lock_message(info: LockInfo) -> str:
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(info.since))
    # The shape of Junos's lock-denied text (the holder, its session, then the mode).
    return (f"configuration database locked by:\n  {info.user} terminal netconf "
            f"(pid {info.session_id}) on since {since}\n      exclusive [edit]")


class ConfigDatabase:
    """Candidate and committed configuration of one Routing Engine.

    ``session_id`` arguments identify the client for the exclusive lock; None is the router
    itself (initial configuration, commit synchronize) and is never refused.
    """

    def __init__(
        self,
        initial: ConfigNode | None = None,
        *,
        validators: Iterable[Validator] = (keepalive_time_validator,),
    ) -> None:
        self._committed = initial.copy() if initial is not None else ConfigNode.root()
        self._candidate = self._committed.copy()
        self._history: list[CommitRecord] = []
        self._stash: ConfigNode | None = None
        self._lock: LockInfo | None = None
        self.validators: list[Validator] = list(validators)

    # -------------------------------------------------------------- views
    @property
    def candidate(self) -> ConfigNode:
        """Return the candidate tree (the database's own object: do not mutate)."""
        return self._candidate

    @property
    def committed(self) -> ConfigNode:
        """Return the committed (active) tree (the database's own object: do not mutate)."""
        return self._committed

    @property
    def history(self) -> tuple[CommitRecord, ...]:
        """Return the kept commits, newest (rollback 0) first."""
        return tuple(self._history)

    @property
    def modified(self) -> bool:
        """Return True if the candidate differs from the committed configuration."""
        return self._candidate != self._committed

    @property
    def lock_holder(self) -> LockInfo | None:
        """Return who holds the exclusive lock, or None."""
        return self._lock

    def candidate_text(self) -> str:
        """Return the candidate in the curly format."""
        return render_text(self._candidate)

    def committed_text(self) -> str:
        """Return the committed configuration in the curly format."""
        return render_text(self._committed)

    def effective(self, slot: int, *, candidate: bool = False) -> ConfigNode:
        """Return the committed (or candidate) configuration as RE ``slot`` applies it."""
        return apply_groups(self._candidate if candidate else self._committed, slot)

    def compare(self, rollback: int = 0) -> str:
        """Return ``show | compare [rollback N]``: the candidate against a kept configuration.

        Raises RollbackNotFoundError.
        """
        return render_compare(self._rollback_tree(rollback), self._candidate)

    # -------------------------------------------------------------- lock
    def _guard(self, session_id: int | None) -> None:
        """Raise ConfigLockedError if another session holds the lock."""
        if session_id is not None and self._lock and self._lock.session_id != session_id:
            raise ConfigLockedError(_lock_message(self._lock), self._lock.session_id)

    def lock(self, session_id: int, user: str = "root", *, since: float = 0.0) -> None:
        """Take the exclusive lock for ``session_id`` (``since``: caller's clock, for the text).

        Raises ConfigLockedError if the lock is held (RFC 6241 7.5: even by this session) or
        the candidate has uncommitted changes (Junos: "configuration database modified").
        """
        if self._lock is not None:
            raise ConfigLockedError(_lock_message(self._lock), self._lock.session_id)
        if self.modified:
            raise ConfigLockedError("configuration database modified")
        self._lock = LockInfo(session_id, user, since)

    def unlock(self, session_id: int) -> None:
        """Release the lock and discard uncommitted changes (Junos XML guide, "Unlocking").

        A no-op if nothing is locked.  Raises ConfigLockedError if another session holds it.
        """
        self._guard(session_id)
        if self._lock is not None:
            self._lock = None
            self._candidate = self._committed.copy()

    def release_session(self, session_id: int) -> None:
        """A session ended: drop its lock (and its uncommitted changes) if it held one."""
        if self._lock is not None and self._lock.session_id == session_id:
            self.unlock(session_id)

    # -------------------------------------------------------------- load
    def load(
        self,
        data: str | bytes | etree._Element,
        format: LoadFormat | str = LoadFormat.TEXT,  # noqa: A002 - the Junos attribute name
        action: LoadAction | str = LoadAction.MERGE,
        *,
        session_id: int | None = None,
        partial: bool = False,
    ) -> LoadResult:
        """Load ``data`` into the candidate.

        ``action``: merge (new values win), replace (as merge, plus ``replace:`` tags),
        override/update (the load becomes the candidate), set (set commands; also implied by
        ``format="set"``).  Every statement is checked against the schema.  By default the
        load is all or nothing; with ``partial`` (what Junos does for ``load`` in the CLI and
        over NETCONF) the statements the schema refuses are reported in the result and the
        others are loaded (an XML load stays all or nothing).  Returns warnings and problems.
        Raises ConfigSyntaxError, ConfigValueError, ConfigLockedError.
        """
        self._guard(session_id)
        fmt = _choice(format, LoadFormat)
        act = _choice(action, LoadAction)
        try:
            work, edits, problems = self._prepare(data, fmt, act)
            if problems and not partial:
                raise problems[0].error
            warnings = [w for e in edits if (w := apply_edit(work, e)) is not None]
        except RecursionError:  # the parsers recurse per level: far deeper than Junos nests
            raise ConfigSyntaxError("", _TOO_DEEP) from None
        if _depth(work) > MAX_DEPTH:
            raise ConfigSyntaxError("", _TOO_DEEP)
        self._candidate = work
        return LoadResult(tuple(warnings), tuple(problems))

    def apply(self, edits: list[Edit], *, session_id: int | None = None) -> LoadResult:
        """Apply edits already spelled against the schema (configuration mode's ``set``,
        ``delete``, ``activate``, ``deactivate``).  Returns warnings.  Raises
        ConfigLockedError, and ConfigSyntaxError past :data:`MAX_DEPTH`."""
        self._guard(session_id)
        work = self._candidate.copy()
        warnings = [w for e in edits if (w := apply_edit(work, e)) is not None]
        if _depth(work) > MAX_DEPTH:
            raise ConfigSyntaxError("", _TOO_DEEP)
        self._candidate = work
        return LoadResult(tuple(warnings))

    def load_tree(self, tree: ConfigNode, *, session_id: int | None = None) -> None:
        """Make a copy of ``tree`` the candidate (a ``load override`` of a tree kept exactly,
        as the state directory keeps it).  Raises ConfigLockedError, and ConfigSyntaxError for
        a tree deeper than :data:`MAX_DEPTH`."""
        self._guard(session_id)
        if _depth(tree) > MAX_DEPTH:
            raise ConfigSyntaxError("", _TOO_DEEP)
        self._candidate = tree.copy()

    def _prepare(self, data: str | bytes | etree._Element, fmt: Enum, act: Enum
                 ) -> tuple[ConfigNode, list[Edit], list[LoadProblem]]:
        """Return (the tree to edit, the edits, the refused statements) for one load.
        Raises ConfigSyntaxError for text that is not in the format at all."""
        if fmt is LoadFormat.SET or act is LoadAction.SET:
            if fmt is LoadFormat.XML or act not in (LoadAction.SET, LoadAction.MERGE):
                raise ConfigSyntaxError(str(act.value), f"invalid action {act.value} for set")
            set_edits, set_problems = parse_set_lines(_as_text(data))
            return self._candidate.copy(), set_edits, set_problems
        problems: list[LoadProblem] = []
        if fmt is LoadFormat.TEXT:
            parsed = parse_text(_as_text(data))
            tree, problems = parsed.tree, parsed.problems
            edits = [Edit(EditAction.MERGE, (), c) for c in tree.children] + parsed.edits
        else:
            tree, edits = parse_xml(data)
        if act in (LoadAction.OVERRIDE, LoadAction.UPDATE):
            return tree, [], problems  # the load is the new candidate; tags already applied
        return self._candidate.copy(), edits, problems

    # -------------------------------------------------------------- candidate control
    def discard(self, *, session_id: int | None = None) -> None:
        """Throw the candidate's changes away (``rollback 0``).  Raises ConfigLockedError."""
        self.rollback(0, session_id=session_id)

    def rollback(self, n: int = 0, *, session_id: int | None = None) -> None:
        """Load kept configuration ``n`` into the candidate (0 = the committed one).

        Raises RollbackNotFoundError, ConfigLockedError.
        """
        self._guard(session_id)
        self._candidate = self._rollback_tree(n).copy()

    def _rollback_tree(self, n: int) -> ConfigNode:
        if n == 0:
            return self._committed
        if not 0 < n < len(self._history):
            raise RollbackNotFoundError(n)
        return self._history[n].config

    def stage_copy(self, text: str) -> None:
        """Make ``text`` (another RE's candidate) the candidate until commit or
        :meth:`discard_staged` (``commit synchronize``: "copied ... followed by a load
        override").  Raises ConfigSyntaxError."""
        parsed = parse_text(text)
        if parsed.problems:
            raise parsed.problems[0].error
        tree = parsed.tree
        if self._stash is None:
            self._stash = self._candidate
        self._candidate = tree

    def discard_staged(self) -> None:
        """Put back the candidate :meth:`stage_copy` replaced (no-op if none)."""
        if self._stash is not None:
            self._candidate, self._stash = self._stash, None

    # -------------------------------------------------------------- commit
    def check(self) -> None:
        """Check the candidate: mandatory statements of the schema, then the validators.

        Raises CommitCheckError with every problem found."""
        missing = missing_statements(self._candidate)
        messages = [m for v in self.validators for m in v(self._candidate)]
        if missing or messages:
            raise CommitCheckError(messages, missing)

    def commit(
        self,
        now: float,
        user: str,
        log: str | None = None,
        check_only: bool = False,
        *,
        session_id: int | None = None,
    ) -> CommitResult:
        """Check, then (unless ``check_only``) make the candidate the committed configuration.

        ``now`` is the caller's clock.  Keeps the last :data:`MAX_ROLLBACK` commits.
        Raises CommitCheckError, ConfigLockedError.
        """
        self._guard(session_id)
        self.check()
        changed = self.modified
        if check_only:
            return CommitResult(check_only=True, changed=changed)
        self._committed = self._candidate.copy()
        record = CommitRecord(now, user, log, self._committed.copy())
        self._history = [record, *self._history][:MAX_ROLLBACK]
        self._stash = None
        return CommitResult(check_only=False, changed=changed, record=record)
