"""``re-emulator fleet``: a testbed of N emulated routers covering every catalogue platform.

The routers take the catalogue's platforms in turn (:func:`~emulator.model.platforms.
platform_names` order: M5, M7i, M10, M10i, ... MX960), so any N of at least the catalogue's size
covers every platform, redundant and single-RE alike.  ``platforms`` narrows the turn to the
platforms named (``--platforms MX480,MX960``), or to every dual-RE platform of the catalogue
(``--dual-re``: a fleet of N routers is then 2N sessions).  The file is deterministic: the same
arguments write the same bytes.

Addresses: every endpoint is on a loopback host; ``hosts`` spreads the routers over several
(e.g. ``127.0.0.1,127.0.0.2``) in contiguous blocks, the same slices ``re-emulator serve --shard
i/N`` takes with N = the number of hosts, so shard i serves exactly the routers of host i.
Ports are 0 (the emulator picks free ones) unless ``base_port`` is given: then router k's RE n
listens on ``base_port + 2k + n`` (a single-RE router leaves its second port unused).
"""

from __future__ import annotations

from collections.abc import Sequence

from emulator.model.platforms import get_platform, platform_names
from re_contract.listeners import is_loopback

__all__ = ["FleetError", "dual_re_platforms", "fleet_routers", "fleet_yaml"]

#: Ports each router's block takes with ``base_port`` (re0, re1).
PORTS_PER_ROUTER = 2


class FleetError(ValueError):
    """Arguments that make no fleet (no router, a host beyond loopback, ports past 65535)."""


def dual_re_platforms() -> list[str]:
    """Return the catalogue's platforms with two Routing Engine slots, in catalogue order."""
    return [name for name in platform_names() if get_platform(name).re_slots == 2]


def _platforms(platforms: Sequence[str] | None) -> list[str]:
    """Return the platforms a fleet takes in turn: ``platforms`` in catalogue spelling, or
    the whole catalogue.  Raises FleetError for an empty list or a name not in the catalogue."""
    if platforms is None:
        return list(platform_names())
    known = {name.lower(): name for name in platform_names()}
    if not platforms:
        raise FleetError("platforms: expected at least one platform of the catalogue, got none")
    out = []
    for name in platforms:
        if name.lower() not in known:
            raise FleetError(f"platforms: expected one of {', '.join(platform_names())}, "
                             f"got {name!r}")
        out.append(known[name.lower()])
    return list(dict.fromkeys(out))


def fleet_routers(count: int, platforms: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """Return ``(router name, platform)`` of a fleet of ``count`` routers, in file order:
    the catalogue's platforms (or ``platforms``) in turn, named ``<platform>-<NNN>``
    (``mx480-013``).  Raises FleetError for a platform not in the catalogue."""
    names = _platforms(platforms)
    width = max(3, len(str(count)))
    return [(f"{names[k % len(names)].lower()}-{k + 1:0{width}d}", names[k % len(names)])
            for k in range(count)]


def _check(count: int, hosts: Sequence[str], base_port: int | None) -> None:
    if count < 1:
        raise FleetError(f"routers: expected at least 1, got {count}")
    if not hosts:
        raise FleetError("hosts: expected at least one loopback host, got none")
    for host in hosts:
        if not is_loopback(host):
            raise FleetError(f"hosts: expected loopback addresses (127.0.0.0/8, ::1, "
                             f"localhost), got {host!r}")
    if base_port is not None:
        last = base_port + PORTS_PER_ROUTER * count - 1
        if base_port < 1 or last > 65535:
            raise FleetError(f"base-port: expected ports {base_port}..{last} within 1..65535")


def _block(k: int, count: int, blocks: int) -> int:
    """Return the block router ``k`` of ``count`` falls in when cut into ``blocks`` contiguous
    blocks as ``serve --shard i/N`` cuts them: block i is ``[i*count//N, (i+1)*count//N)``."""
    return max(i for i in range(blocks) if i * count // blocks <= k)


def fleet_yaml(count: int, *, hosts: Sequence[str] = ("127.0.0.1",),
               base_port: int | None = None, name: str | None = None,
               platforms: Sequence[str] | None = None) -> str:
    """Return the testbed YAML of a fleet of ``count`` emulated routers (see the module
    docstring).  Raises FleetError for arguments that make no fleet."""
    _check(count, hosts, base_port)
    routers = fleet_routers(count, platforms)
    chosen = _platforms(platforms) if platforms is not None else None
    used = sorted({p for _, p in routers}, key=platform_names().index)
    single = [p for p in used if get_platform(p).re_slots == 1]
    title = name or f"emulated-fleet-{count}"
    lines = [
        "# yaml-language-server: $schema=testbed.schema.json",
        f"# Written by: re-emulator fleet --routers {count}"
        + (f" --hosts {','.join(hosts)}" if tuple(hosts) != ("127.0.0.1",) else "")
        + (f" --base-port {base_port}" if base_port is not None else "")
        + (f" --platforms {','.join(chosen)}" if chosen is not None else ""),
        "# Every router emulated, on loopback; the "
        + ("catalogue's" if chosen is None else "chosen") + " platforms in turn.",
        "# Schema: testbeds/README.md (testbed.schema.json for editors)",
        "testbed:",
        f"  name: {title}",
        f"  description: {count} emulated routers over {len(used)} platforms "
        f"({len(single)} single-RE).",
        "",
        "defaults:",
        "  emulated: true",
        "  credentials: {username: lab, password: lab123}",
        "  control: {username: re-control, password: re-control}",
        "  host_keys: {policy: ignore}",
        "  emulator: {time: virtual}",
        "",
        "routers:",
    ]
    for k, (router, platform) in enumerate(routers):
        host = hosts[_block(k, count, len(hosts))]
        lines += [f"  {router}:", f"    platform: {platform}"]
        for slot in range(get_platform(platform).re_slots):
            port = 0 if base_port is None else base_port + PORTS_PER_ROUTER * k + slot
            lines.append(f"    re{slot}: {{host: {host}, port: {port}}}")
    return "\n".join(lines) + "\n"
