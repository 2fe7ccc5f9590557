"""What a command handler sees and returns: the typed vocabulary every handler imports.

A handler is ``handler(ctx: CommandContext, req: Request) -> Result``.  It reads the router
model through ``ctx.router``, its arguments through ``req`` (a mapping, as the RPC's children
are), and returns both forms of its answer in one :class:`Result`, built from one view of the
model.  Handlers import this module, never the table (``emulator.commands.table``) nor the
rows (``emulator.commands.operational``): the table knows the handlers, not the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from emulator.model.router import RouterModel

__all__ = ["ArgValue", "CommandContext", "Request", "Result"]

#: An argument's value: ``<x/>`` (a CLI keyword alone) is True, ``<x>v</x>`` is "v".
ArgValue = str | bool


@dataclass(slots=True)
class CommandContext:
    """Who runs a command, where: the router model, the RE slot the session is on, the user."""

    router: RouterModel
    slot: int
    user: str
    #: Set by the CLI face when it asked for (and got) confirmation; NETCONF never prompts.
    interactive: bool = False
    #: The NETCONF or CLI session (configuration locks are held per session).
    session_id: int = 0
    #: Older callers pass ``extra={"session_id": n}`` (``emulator/session_glue.py``); read once.
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.session_id and "session_id" in self.extra:
            self.session_id = int(str(self.extra["session_id"]))

    @property
    def version(self) -> str:
        """Return the Junos version of the RE the command runs on (reply namespaces)."""
        return self.router.chassis.re(self.slot).hardware.version

    def on(self, slot: int) -> CommandContext:
        """Return the same user's context on RE ``slot`` (``request shell execute``)."""
        return CommandContext(self.router, slot, self.user, self.interactive, self.session_id)


@dataclass(frozen=True, slots=True)
class Request(Mapping[str, ArgValue]):
    """One invocation of a command: its arguments (the RPC element's children, or the CLI
    words after the command) and, from the RPC element, its attributes and the element itself
    (configuration payloads, filters).  A mapping of the arguments, so ``req.get("detail")``."""

    args: Mapping[str, ArgValue] = field(default_factory=dict)
    attrs: Mapping[str, str] = field(default_factory=dict)
    element: etree._Element | None = None

    def __getitem__(self, key: str) -> ArgValue:
        return self.args[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.args)

    def __len__(self) -> int:
        return len(self.args)

    def child(self, name: str) -> etree._Element | None:
        """Return the element's first child named ``name`` (any namespace), or None."""
        if self.element is None:
            return None
        return next((c for c in self.element if isinstance(c.tag, str)
                     and etree.QName(c).localname == name), None)

    def text(self, name: str) -> str | None:
        """Return the text of child ``name`` (stripped), or None when it is absent."""
        found = self.child(name)
        return None if found is None else (found.text or "").strip()


@dataclass(slots=True)
class Result:
    """What a command produced: XML children of ``<rpc-reply>`` and the CLI text.

    ``warnings`` are rendered in XML as the row declares (``<xnm:warning>`` as in
    ``request-halt.pyez.xml``, or a leading ``<rpc-error>`` of severity warning for a commit)
    and as ``warning: ...`` lines before the text.
    """

    xml: list[etree._Element]
    text: str = ""
    warnings: list[str] = field(default_factory=list)
    #: Partial failures reported as ``<rpc-error>`` before the data (as Junos does for an
    #: unreachable other RE in ``show version invoke-on all-routing-engines``).
    errors: list[str] = field(default_factory=list)
    #: The reply ends with ``<ok/>`` (RFC 6241: lock, edit-config, a commit with warnings).
    ok: bool = False
    #: CLI only: the outcome the last line of ``text`` tells is decided later by the router
    #: (a mastership resolution takes the platform's time).  The interactive CLI shows the
    #: text without its last line at once, then, in its place, what this returns once it
    #: returns a string (None: not settled yet), and only then its next prompt.  Replies over
    #: NETCONF (RPC and ``<command>``) carry the whole text at once.
    settled: Callable[[], str | None] | None = None
