"""The JUnit renderer: the ``record_property`` pairs of one HA operation (``--junitxml`` writes
them as ``<property>`` elements)."""

from __future__ import annotations

from harness.router import OperationResult

__all__ = ["junit_properties"]


def _secs(value: float | None) -> str:
    return "none" if value is None else f"{value:.3f}"


def junit_properties(result: OperationResult, router: str | None = None
                     ) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` pairs to pass to ``record_property`` for ``result``:
    router, operation, target, method (switchovers), master before/after (``none`` when no RE
    was master), the end state waited for (``until``), the duration in router and wall
    seconds, and in router seconds from the command the control-plane, data-plane and
    backup-ready times (``none``: not waited for) with whether the FPCs stayed online
    (``true``/``false``/``unknown``); 3 decimals."""
    props = [("router", router)] if router else []
    props += [("operation", result.operation), ("target", result.target)]
    method = getattr(result, "method", None)
    if method:
        props.append(("method", str(method)))
    phases = result.phases
    stayed = phases.fpcs_stayed_online
    props += [
        ("master_before", result.master_before or "none"),
        ("master_after", result.master_after or "none"),
        ("until", result.until),
        ("duration_router_s", f"{result.duration:.3f}"),
        ("duration_wall_s", f"{result.wall_duration:.3f}"),
        ("control_plane_s", _secs(phases.control_plane)),
        ("data_plane_s", _secs(phases.data_plane)),
        ("backup_ready_s", _secs(phases.backup_ready)),
        ("fpcs_stayed_online", "unknown" if stayed is None else str(stayed).lower()),
    ]
    return [(name, str(value)) for name, value in props]
