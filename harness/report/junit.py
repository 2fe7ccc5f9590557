"""The JUnit renderer: the ``record_property`` pairs of one HA operation (``--junitxml`` writes
them as ``<property>`` elements)."""

from __future__ import annotations

from harness.router import OperationResult

__all__ = ["junit_properties"]


def junit_properties(result: OperationResult, router: str | None = None
                     ) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` pairs to pass to ``record_property`` for ``result``:
    router, operation, target, method (switchovers), master before/after (``none`` when no RE
    was master) and the duration in router and wall seconds (3 decimals)."""
    props = [("router", router)] if router else []
    props += [("operation", result.operation), ("target", result.target)]
    method = getattr(result, "method", None)
    if method:
        props.append(("method", str(method)))
    props += [
        ("master_before", result.master_before or "none"),
        ("master_after", result.master_after or "none"),
        ("duration_router_s", f"{result.duration:.3f}"),
        ("duration_wall_s", f"{result.wall_duration:.3f}"),
    ]
    return [(name, str(value)) for name, value in props]
