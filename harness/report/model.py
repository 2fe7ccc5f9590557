"""The vocabulary and records of the run report: what a timeline entry is, where it comes from
and which lane it belongs to.  Frozen values only; no I/O.

Each :class:`TimelineEntry` carries its ``source`` (who says it happened: the harness observing,
an operation the harness ran, the router's own log) and its ``lane`` (the RE, or later an FPC,
it is about; None for the router as a whole), so a renderer can draw per-RE and per-FPC lanes
and tell what a router reported from what the harness inferred.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.router import OperationResult

__all__ = [
    "DEFAULT_RES",
    "Detail",
    "DETAIL_TYPES",
    "EntryKind",
    "LogDetail",
    "MasterDetail",
    "OperationDetail",
    "Outcome",
    "ReportError",
    "RouterInfo",
    "Source",
    "TestEdge",
    "TestRecord",
    "TimelineEntry",
]

DEFAULT_RES = ("re0", "re1")


class ReportError(HarnessError):
    """A report file could not be read or written.  At fault: the file (or the directory)."""


class EntryKind(Enum):
    """What a timeline entry records."""

    TEST_START = "test-start"
    TEST_END = "test-end"
    OPERATION = "operation"
    MASTER = "master"
    LOG_EVENT = "log-event"


class Source(Enum):
    """Who says an entry happened."""

    #: pytest: a test started or ended.
    PYTEST = "pytest"
    #: The harness ran an HA operation and saw its end state.
    OPERATION = "operation"
    #: The harness asked the router (``show chassis routing-engine``) and was told.
    OBSERVED = "observed"
    #: The router wrote it (its mastership log).
    ROUTER_LOG = "router-log"


class Outcome(Enum):
    """A test's final outcome, as pytest's terminal summary names it."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"

    @property
    def bad(self) -> bool:
        """Return True for the outcomes that fail an acceptance run."""
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class TestEdge:
    """The start (``outcome`` None) or the end of a test on one router's timeline."""

    __test__: ClassVar[bool] = False  # not a test class for pytest to collect

    outcome: Outcome | None = None
    duration: float = 0.0


@dataclass(frozen=True, slots=True)
class OperationDetail:
    """An HA operation as :class:`~harness.router.OperationResult` reported it."""

    operation: str
    target: str
    method: str | None
    master_before: str | None
    master_after: str | None
    duration: float
    wall_duration: float

    @classmethod
    def of(cls, result: OperationResult) -> OperationDetail:
        """Return the detail of ``result`` (``method`` only for a switchover)."""
        method = getattr(result, "method", None)
        return cls(result.operation, result.target, method, result.master_before,
                   result.master_after, result.duration, result.wall_duration)


@dataclass(frozen=True, slots=True)
class MasterDetail:
    """An observed master change: ``re`` is the new master (None: no RE is master)."""

    re: str | None


@dataclass(frozen=True, slots=True)
class LogDetail:
    """A mastership-log entry a test matched; ``code`` is the event code or the entry type."""

    re: str | None
    code: str
    state: str | None
    param: int | None
    text: str


Detail: TypeAlias = TestEdge | OperationDetail | MasterDetail | LogDetail

#: The detail record of each kind of entry (what a store reads back).
DETAIL_TYPES: dict[EntryKind, type[Any]] = {
    EntryKind.TEST_START: TestEdge,
    EntryKind.TEST_END: TestEdge,
    EntryKind.OPERATION: OperationDetail,
    EntryKind.MASTER: MasterDetail,
    EntryKind.LOG_EVENT: LogDetail,
}

#: Who says each kind of entry happened, unless the recorder says otherwise.
DEFAULT_SOURCE: dict[EntryKind, Source] = {
    EntryKind.TEST_START: Source.PYTEST,
    EntryKind.TEST_END: Source.PYTEST,
    EntryKind.OPERATION: Source.OPERATION,
    EntryKind.MASTER: Source.OBSERVED,
    EntryKind.LOG_EVENT: Source.ROUTER_LOG,
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened on ``router``: router time (None when unknown), wall time (POSIX
    seconds), the test running then (``""`` outside a test), and what happened; ``source`` says
    who says so and ``lane`` which RE (None: the router as a whole) it is about."""

    router: str
    kind: EntryKind
    router_time: float | None
    wall_time: float
    nodeid: str
    detail: Detail
    source: Source | None = None
    lane: str | None = None

    def __post_init__(self) -> None:
        """Give the entry its kind's default source when none was given."""
        if self.source is None:
            object.__setattr__(self, "source", DEFAULT_SOURCE[self.kind])


@dataclass(frozen=True, slots=True)
class TestRecord:
    """A test of the run: the routers it used and its outcome (None while unfinished)."""

    __test__: ClassVar[bool] = False  # not a test class for pytest to collect

    nodeid: str
    routers: tuple[str, ...] = ()
    outcome: Outcome | None = None
    duration: float = 0.0
    wall_start: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True)
class RouterInfo:
    """A router of the report: its platform and the RE lanes it gets."""

    name: str
    platform: str = ""
    re_names: tuple[str, ...] = DEFAULT_RES
