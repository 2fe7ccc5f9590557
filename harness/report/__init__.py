"""The report pipeline of a run: recorder -> store -> renderers.

- :mod:`.model`: the vocabulary and frozen records (entries with their source and lane: lane
  states as the router reported them, resets, operations with their phase times, disruptive
  actions);
- :mod:`.recorder`: :class:`Recorder`, what happened per router during the run;
- :mod:`.store`: JSON parts written atomically, read back, merged across pytest-xdist workers;
- renderers: :mod:`.html` (one self-contained page, Jinja2 templates; its timeline from
  :mod:`.timeline` (router time, roles) and :mod:`.layout` (geometry)), :mod:`.junit` (JUnit
  properties), :mod:`.acceptance` (the pre-upgrade acceptance report as text and JSON);
- :mod:`.run`: the pytest side (``--report-dir``, JUnit properties per test).

This module re-exports the public names tests and plugins use.
"""

from harness.report.html import render_html, write_html
from harness.report.junit import junit_properties
from harness.report.model import (
    DisruptionDetail,
    EntryKind,
    LogDetail,
    OperationDetail,
    Outcome,
    ReportError,
    ResetDetail,
    RouterInfo,
    Source,
    StateDetail,
    TestEdge,
    TestRecord,
    TimelineEntry,
)
from harness.report.recorder import PhaseReport, Recorder, outcome_of
from harness.report.store import load_json, merge_parts, to_dict, write_json
from harness.report.timeline import Role

__all__ = [
    "DisruptionDetail",
    "EntryKind",
    "LogDetail",
    "OperationDetail",
    "Outcome",
    "PhaseReport",
    "Recorder",
    "ReportError",
    "ResetDetail",
    "Role",
    "RouterInfo",
    "Source",
    "StateDetail",
    "TestEdge",
    "TestRecord",
    "TimelineEntry",
    "junit_properties",
    "load_json",
    "merge_parts",
    "outcome_of",
    "render_html",
    "to_dict",
    "write_html",
    "write_json",
]
