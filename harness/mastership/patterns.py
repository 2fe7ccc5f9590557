"""What an expected log entry looks like: :class:`EventPattern` and its builders
(:func:`expect` and friends)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from harness.mastership.codes import EventCode
from harness.mastership.records import (
    EntryBase,
    LogEntry,
    MastershipEvent,
    NewState,
    StateTransition,
)

__all__ = [
    "EventPattern",
    "PatternLike",
    "as_pattern",
    "as_patterns",
    "expect",
    "expect_entry",
    "expect_new_state",
    "expect_transition",
]

_E = TypeVar("_E", bound=EntryBase)


@dataclass(frozen=True, slots=True)
class EventPattern:
    """What one expected entry looks like.

    An entry matches when it is a ``kind`` (MastershipEvent by default), has ``code`` / ``state``
    / ``param`` when those are set, belongs to ``re`` when set, and satisfies ``predicate``.
    Build them with :func:`expect`, :func:`expect_new_state`, :func:`expect_transition` and
    :func:`expect_entry`; ``label`` is how the pattern reads in :meth:`MatchResult.explain`.
    """

    code: EventCode | None = None
    state: str | None = None
    param: int | None = None
    kind: type[EntryBase] = MastershipEvent
    predicate: Callable[[Any], bool] | None = None
    label: str | None = None
    re: str | None = None

    def is_candidate(self, entry: LogEntry) -> bool:
        """Return True when ``entry`` has the pattern's kind and code (other fields aside)."""
        if not isinstance(entry, self.kind):
            return False
        return self.code is None or getattr(entry, "code", None) is self.code

    def differences(self, entry: LogEntry) -> list[str]:
        """Return how ``entry`` differs from the pattern beyond kind and code (empty: none)."""
        found: list[str] = []
        for name, want in (("state", self.state), ("param", self.param), ("re", self.re)):
            have = getattr(entry, name, None)
            if want is not None and have != want:
                found.append(f"{name} {_show(have, name)} instead of {_show(want, name)}")
        if self.predicate is not None and not self.predicate(entry):
            found.append("not as expected")
        return found

    def matches(self, entry: LogEntry) -> bool:
        """Return True when ``entry`` is what the pattern expects."""
        return self.is_candidate(entry) and not self.differences(entry)

    def describe(self) -> str:
        """Return the pattern as one short line (its label, or its fields)."""
        if self.label is not None:
            return self.label
        head = self.code.name if self.code is not None else self.kind.__name__
        fields = [f"{n}={_show(v, n)}" for n, v in self._set_fields() if n != "re"]
        where = f"{self.re}: " if self.re is not None else ""
        return where + " ".join([head, *fields])

    def _set_fields(self) -> list[tuple[str, object]]:
        """Return the optional fields that are set, by name."""
        pairs: list[tuple[str, object]] = [
            ("state", self.state),
            ("param", self.param),
            ("re", self.re),
        ]
        return [(name, value) for name, value in pairs if value is not None]


PatternLike: TypeAlias = EventPattern | EventCode | str


def _show(value: object, name: str) -> str:
    """Return a field value as the log writes it (params in hex)."""
    if name == "param" and isinstance(value, int):
        return hex(value)
    return str(value)


def expect(
    code: EventCode | str,
    *,
    state: str | None = None,
    param: int | None = None,
    re: str | None = None,
) -> EventPattern:
    """Return a pattern for an ``event = ...`` entry: ``expect("E_CMD_S", state="master")``.

    Raises:
        UnknownEventCode: ``code`` is a name that is not in Table 107.
    """
    event = code if isinstance(code, EventCode) else EventCode.from_name(code)
    return EventPattern(code=event, state=state, param=param, re=re)


def expect_new_state(state: str, *, re: str | None = None) -> EventPattern:
    """Return a pattern for ``new state = <state>``."""
    return EventPattern(kind=NewState, state=state, re=re, label=_on(re, f"new state = {state}"))


def expect_transition(
    current_state: str | None = None, next_state: str | None = None, *, re: str | None = None
) -> EventPattern:
    """Return a pattern for ``Currentstate: <current> NextState:<next>`` (None: any state)."""

    def fits(entry: StateTransition) -> bool:
        return current_state in (None, entry.current_state) and next_state in (
            None,
            entry.next_state,
        )

    label = f"Currentstate: {current_state or '*'} NextState:{next_state or '*'}"
    return EventPattern(kind=StateTransition, predicate=fits, re=re, label=_on(re, label))


def expect_entry(
    kind: type[_E],
    predicate: Callable[[_E], bool] | None = None,
    *,
    label: str | None = None,
    re: str | None = None,
) -> EventPattern:
    """Return a pattern for any entry of ``kind`` satisfying ``predicate``.

    Example: ``expect_entry(KeepaliveLoss, lambda e: e.seconds >= 300, label="loss >= 300 s")``.
    """
    text = label if label is not None else kind.__name__
    return EventPattern(kind=kind, predicate=predicate, re=re, label=_on(re, text))


def _on(re: str | None, text: str) -> str:
    """Return ``text`` prefixed with the RE it is expected on, if any."""
    return f"{re}: {text}" if re is not None else text


def as_pattern(item: PatternLike) -> EventPattern:
    """Return ``item`` as a pattern (a code or a code name means "that event").

    Raises:
        UnknownEventCode: a name that is not in Table 107.
    """
    if isinstance(item, EventPattern):
        return item
    return expect(item)


def as_patterns(obj: object) -> tuple[EventPattern, ...] | None:
    """Return ``obj`` as a pattern sequence, or None when it is not one.

    Raises:
        UnknownEventCode: a name that is not in Table 107.
    """
    if isinstance(obj, EventPattern | EventCode | str):
        return (as_pattern(obj),)
    if isinstance(obj, list | tuple) and all(
        isinstance(item, EventPattern | EventCode | str) for item in obj
    ):
        return tuple(as_pattern(item) for item in obj)
    return None
