"""The timing a lab run measured, read from the harness's report store (``--report-dir``).

The harness writes ``report.json`` into its report directory (format ``re-harness-report``,
``harness/report/store.py``); this module reads it as plain JSON data -- the emulator never
imports the harness.  Each ``operation`` entry of the router carries what the harness measured
from the router's own replies, in router seconds from the command (``harness/router/results.py``):

* a switchover: ``control_plane`` (the new master answers as the only master), ``data_plane``
  (every FPC Online again; 0 when they stayed online, i.e. graceful switchover) and
  ``backup_ready`` (the new backup reports itself ready: with graceful switchover once its
  kernel database is synchronised, without it as soon as it answers as backup);
* a reboot or power-on of an RE: ``control_plane`` (the RE booted and joined).

The median of each is taken (:class:`Measured`); :func:`timing_fields` turns them into the
phases of the emulator's timing profile (``emulator.platform.timing``, docs/clone.md).
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.clone.errors import ReportDirError

__all__ = [
    "REPORT_FORMAT",
    "REPORT_NAME",
    "REPORT_VERSIONS",
    "Measured",
    "Sample",
    "measured_timing",
    "timing_fields",
]

#: The report the harness writes into its report directory, and the layouts read here (the
#: values of ``harness.report.store.FORMAT`` / ``VERSION`` and ``harness.report.run.JSON_NAME``;
#: a test keeps them in step).
REPORT_FORMAT = "re-harness-report"
REPORT_VERSIONS = (2,)
REPORT_NAME = "report.json"


@dataclass(frozen=True, slots=True)
class Sample:
    """Measurements of one quantity: the median and how many there were."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        """Return the median of the values."""
        return float(statistics.median(self.values))

    def __str__(self) -> str:
        return f"{self.median:g} s (median of {len(self.values)})"


@dataclass(frozen=True, slots=True)
class Measured:
    """What a lab run measured of one router (an empty sample: never measured)."""

    router: str
    source: Path
    #: Switchovers without graceful switchover (the FPCs were reset).
    control_plane: Sample = field(default_factory=lambda: Sample(()))
    data_plane: Sample = field(default_factory=lambda: Sample(()))
    backup_ready: Sample = field(default_factory=lambda: Sample(()))
    #: Switchovers with graceful switchover (every FPC stayed online).
    control_plane_gres: Sample = field(default_factory=lambda: Sample(()))
    backup_ready_gres: Sample = field(default_factory=lambda: Sample(()))
    #: Reboots and power-ons: the RE booted and joined.
    boot: Sample = field(default_factory=lambda: Sample(()))

    def empty(self) -> bool:
        """Return True when nothing was measured."""
        return not any(getattr(self, name).values for name in _SAMPLES)


_SAMPLES = ("control_plane", "data_plane", "backup_ready", "control_plane_gres",
            "backup_ready_gres", "boot")


def _report_file(path: Path) -> Path:
    return path / REPORT_NAME if path.is_dir() else path


def _load(path: Path) -> dict[str, Any]:
    """Return the report's JSON data.  Raises ReportDirError naming the file."""
    source = _report_file(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportDirError(f"{source}: cannot read the lab run's report: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
        raise ReportDirError(f"{source}: format: expected {REPORT_FORMAT!r}, got "
                             f"{data.get('format') if isinstance(data, dict) else type(data)!r}")
    if data.get("version") not in REPORT_VERSIONS:
        raise ReportDirError(f"{source}: version: expected one of {REPORT_VERSIONS}, got "
                             f"{data.get('version')!r}")
    return data


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def measured_timing(report: str | os.PathLike[str], router: str) -> Measured:
    """Return what the lab run in ``report`` (a report directory or its ``report.json``)
    measured of ``router``.

    Raises ReportDirError for a missing or unreadable report, or one of another format.
    """
    path = Path(report)
    data = _load(path)
    found: dict[str, list[float]] = {name: [] for name in _SAMPLES}
    for item in data.get("entries") or []:
        if not isinstance(item, dict) or item.get("kind") != "operation":
            continue
        if item.get("router") != router or not isinstance(item.get("detail"), dict):
            continue
        _collect(item["detail"], found)
    return Measured(router, _report_file(path),
                    **{name: Sample(tuple(values)) for name, values in found.items()})


def _collect(detail: Mapping[str, Any], found: dict[str, list[float]]) -> None:
    """Add one operation's measurements to ``found``."""
    operation = detail.get("operation")
    control = _number(detail.get("control_plane"))
    if operation in ("reboot", "power_on"):
        if control is not None:
            found["boot"].append(control)
        return
    if operation != "switchover" or control is None:
        return
    gres = detail.get("fpcs_stayed_online") is True
    found["control_plane_gres" if gres else "control_plane"].append(control)
    ready = _number(detail.get("backup_ready"))
    if ready is not None:
        found["backup_ready_gres" if gres else "backup_ready"].append(ready)
    data = _number(detail.get("data_plane"))
    if data is not None and not gres:
        found["data_plane"].append(data)


def timing_fields(measured: Measured, base: Mapping[str, float], fpcs: int
                  ) -> tuple[dict[str, float], list[str]]:
    """Return the timing profile's phases the measurements give, and one note per phase (how it
    was derived).

    ``base`` is the platform's own profile (phase -> seconds; empty when the emulator has
    none): the phases the lab cannot tell apart keep its values, and the measured one takes the
    rest of the measured time, so the emulated router reports the measured times.  ``fpcs`` is
    the number of populated FPCs (the last comes up ``(fpcs - 1) * fpc_stagger`` after the
    first).  The phases are those of ``emulator.platform.timing``: ``resolution(_gres)`` the
    control plane, ``fpc_boot`` the data plane after it, ``backup_sync_switchover`` the backup
    after the new master is ready, ``boot`` an RE's boot.
    """
    fields: dict[str, float] = {}
    notes: list[str] = []

    def put(name: str, value: float, how: str) -> None:
        fields[name] = round(max(value, 0.0), 3)
        clamp = " (measured less than the phases before it: 0)" if value < 0 else ""
        notes.append(f"timing.{name} = {fields[name]:g} s: {how}{clamp}")

    m = measured
    if m.control_plane.values:
        put("resolution", m.control_plane.median,
            f"switchover control plane without GRES, {m.control_plane}")
    if m.control_plane_gres.values:
        put("resolution_gres", m.control_plane_gres.median,
            f"switchover control plane with GRES, {m.control_plane_gres}")
    if m.data_plane.values and m.control_plane.values:
        ready = base.get("master_ready", 0.0)
        stagger = base.get("fpc_stagger", 0.0) * max(fpcs - 1, 0)
        put("fpc_boot", m.data_plane.median - m.control_plane.median - ready - stagger,
            f"data plane {m.data_plane} minus control plane, master_ready {ready:g} s and "
            f"FPC stagger {stagger:g} s")
    if m.backup_ready_gres.values and m.control_plane_gres.values:
        ready = base.get("master_ready_gres", 0.0)
        put("backup_sync_switchover",
            m.backup_ready_gres.median - m.control_plane_gres.median - ready,
            f"backup ready with GRES {m.backup_ready_gres} minus control plane and "
            f"master_ready_gres {ready:g} s")
    elif m.backup_ready.values:
        notes.append("timing.backup_sync_switchover: not measured -- without GRES the backup "
                     "is ready once it answers as backup (no kernel database to synchronise); "
                     "a switchover with GRES measures it")
    if m.boot.values:
        put("boot", m.boot.median, f"RE reboot / power-on back and joined, {m.boot}")
    return fields, notes
