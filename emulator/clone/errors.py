"""The errors of ``re-emulator clone``: one small tree, each naming what is at fault."""

from __future__ import annotations

__all__ = [
    "CloneError",
    "ConnectFailedError",
    "NotReadOnlyError",
    "ReplyError",
    "ReplyTimeoutError",
    "ReportDirError",
]


class CloneError(Exception):
    """Base: the clone could not be made; the message says what and where."""


class ConnectFailedError(CloneError):
    """An RE could not be reached or refused the login (SSH, or the NETCONF hello)."""


class ReplyTimeoutError(CloneError):
    """An RE did not answer within the testbed's ``timeouts`` (connect or rpc)."""


class ReplyError(CloneError):
    """An RE answered an RPC with ``<rpc-error>`` (or with a reply that is not one)."""


class NotReadOnlyError(CloneError):
    """An RPC outside the clone's read-only set was asked for; nothing was sent."""


class ReportDirError(CloneError):
    """``--report-dir`` holds no report of a lab run this clone can read."""
