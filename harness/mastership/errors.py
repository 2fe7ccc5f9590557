"""The errors of :mod:`harness.mastership`: misuse by the caller, not a router fault."""

from __future__ import annotations

__all__ = [
    "MarkMismatch",
    "MastershipLogError",
    "UnknownEventCode",
]


class MastershipLogError(Exception):
    """Base of the errors this module raises (a misuse by the caller, not a router fault)."""


class UnknownEventCode(MastershipLogError, ValueError):
    """A pattern names an event code that Table 107 does not have."""


class MarkMismatch(MastershipLogError, ValueError):
    """A :class:`LogMark` taken on one RE's log was applied to another RE's log."""
