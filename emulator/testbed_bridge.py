"""Translate a testbed router (``harness.testbed.RouterSpec``) into the emulator's terms.

The emulator's model never reads YAML; this module is the one place that knows both sides.
"""

from __future__ import annotations

from typing import Any

from emulator.model.platforms import PlatformError
from emulator.model.router import RouterParams, resolve_platform
from emulator.server import CONTROL, RouterEntry
from emulator.ssh import User

__all__ = ["CONTROL", "router_entry"]


def _slot_map(mapping: Any) -> dict[int, str]:
    return {int(name[2:]): str(value) for name, value in (mapping or {}).items()}


def _check_platform(spec: Any, params: RouterParams) -> None:
    """Raise TestbedError (file, key path, expectation, value) for a platform the catalogue
    does not know or an override it rejects, before any listener is opened."""
    from harness.errors import TestbedError  # the testbed's own error type

    try:
        resolve_platform(params)
    except PlatformError as exc:
        source = str(getattr(spec.credentials, "origin", "")).partition(": ")[0] or "<testbed>"
        key = "emulator.platform" if params.platform_overrides else "platform"
        raise TestbedError(f"{source}: routers.{spec.name}.{key}: {exc}") from exc


def router_entry(spec: Any) -> RouterEntry:
    """Return the RouterEntry serving ``spec`` (its REs, master-only and control listeners)."""
    emu = spec.emulator
    params = RouterParams(
        name=spec.name,
        platform=spec.platform,
        hostname=(emu.hostname if emu and emu.hostname else None),
        versions=_slot_map(emu.versions if emu else {}),
        re_models=_slot_map(emu.re_models if emu else {}),
        serials=_slot_map(emu.serials if emu else {}),
        config=(emu.config if emu else ""),
        boot_time=(emu.boot_time if emu else 180.0),
        platform_overrides=({spec.platform: dict(emu.platform)}
                            if emu is not None and emu.platform else {}),
    )
    _check_platform(spec, params)
    users = [User(spec.credentials.username, spec.credentials.password() or "")]
    if spec.control is not None:
        users.append(User(spec.control.username, spec.control.password() or "", control=True))
    listen = {name: (ep.host, ep.port) for name, ep in spec.endpoints.items()}
    if spec.master_only is not None:
        listen["master"] = (spec.master_only.host, spec.master_only.port)
    first = next(iter(spec.endpoints.values()))
    listen[CONTROL] = (first.host, 0)
    consoles = {name: (ep.host, ep.port) for name, ep in (spec.console or {}).items()}
    return RouterEntry(params=params, users=users, listen=listen, consoles=consoles)
