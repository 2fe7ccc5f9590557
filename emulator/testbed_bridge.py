"""Translate a testbed router (``harness.testbed.RouterSpec``) into the emulator's terms.

The emulator's model never reads YAML; this module is the one place that knows both sides.
"""

from __future__ import annotations

from typing import Any

from emulator.model.router import RouterParams
from emulator.server import CONTROL, RouterEntry
from emulator.ssh import User

__all__ = ["CONTROL", "router_entry"]


def _slot_map(mapping: Any) -> dict[int, str]:
    return {int(name[2:]): str(value) for name, value in (mapping or {}).items()}


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
    )
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
