"""The errors of :mod:`harness.mastership`: misuse by the caller, not a router fault.

:class:`UnknownEventCode` (a name Table 107 lacks) is the contract's, raised by
``EventCode.from_name``; it is a ``ValueError``.
"""

from __future__ import annotations

from re_contract.errors import UnknownEventCode

__all__ = [
    "MarkMismatch",
    "MastershipLogError",
    "UnknownEventCode",
]


class MastershipLogError(Exception):
    """Base of the errors this module raises (a misuse by the caller, not a router fault)."""


class MarkMismatch(MastershipLogError, ValueError):
    """A :class:`LogMark` taken on one RE's log was applied to another RE's log."""
