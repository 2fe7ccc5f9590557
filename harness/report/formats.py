"""How the report writes times, durations and operations for people (HTML and text alike)."""

from __future__ import annotations

from datetime import UTC, datetime

from harness.report.model import OperationDetail

__all__ = ["clock_text", "fmt_secs", "op_label", "op_title", "utc"]


def fmt_secs(seconds: float) -> str:
    """Return a duration for people: ``0.42 s``, ``12.3 s``, ``245 s``, ``3 min 05 s``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 100:
        return f"{seconds:.1f} s"
    if seconds < 600:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def utc(stamp: float) -> datetime:
    """Return POSIX time ``stamp`` as an aware UTC datetime."""
    return datetime.fromtimestamp(stamp, UTC)


def clock_text(stamp: float | None, fine: bool = False) -> str:
    """Return ``HH:MM:SS`` (``.s`` when ``fine``) of a router time, UTC; ``?`` when unknown."""
    if stamp is None:
        return "?"
    when = utc(stamp)
    text = when.strftime("%H:%M:%S")
    return f"{text}.{when.microsecond // 100000}" if fine else text


def op_label(detail: OperationDetail) -> str:
    """Return the short name of an operation: ``switch → re1``, ``halt re1``, ..."""
    if detail.operation == "switchover":
        return f"{detail.method or 'switch'} → {detail.target}"
    return f"{detail.operation.replace('_', '-')} {detail.target}"


def op_title(detail: OperationDetail, nodeid: str) -> str:
    """Return the one-line description of an operation (a tooltip)."""
    return (f"{detail.operation} ({detail.method or '-'}) of {detail.target}: master "
            f"{detail.master_before or 'none'} → {detail.master_after or 'none'}; "
            f"{detail.duration:.2f} s router time, {detail.wall_duration:.2f} s wall"
            + (f"; test {nodeid}" if nodeid else ""))
