"""The merge: ``defaults`` under every router, then the checks that need both.

The schema (:mod:`re_contract.schema`) has checked each section where it is written; here a
router's keys are merged over the defaults (scalars: the router's wins; sections: key by key;
a fault or a per-RE mapping whole) and what only the merged router can tell is checked: required
keys given in neither place, lab versus emulated rules, REs the router has, and a fixed address
used twice.  Each problem names the path where the value was written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from re_contract.listeners import NETCONF_PORT, RE_NAMES
from re_contract.problems import Problems, child, quoted
from re_contract.records import (
    Budgets,
    Credentials,
    EmulatorSettings,
    Endpoint,
    FaultAction,
    HostKeys,
    RouterSpec,
    Timeouts,
)
from re_contract.schema import (
    DefaultsSection,
    EndpointSection,
    FaultSection,
    HostKeyPolicy,
    RouterSection,
    TimeMode,
)
from re_contract.schema_types import show
from re_contract.snapshots import SnapshotSettings, SnapshotsSection, settings_of

__all__ = ["check_unique", "merge_router"]

# A router that names one password source replaces both sources from the defaults.
_PASSWORD_SOURCES = ("password", "password_env")
_LAB_PORT_ZERO = "a port 1..65535 on a lab router (0 = pick a free port: emulated only)"

#: A merged section: key -> (value, key path it came from).
_Merged = dict[str, tuple[Any, str]]


def _given(section: Any) -> Iterator[tuple[str, Any]]:
    """Yield the keys a section gives, with their values, in file order for mappings."""
    if isinstance(section, dict):
        yield from section.items()
    elif isinstance(section, BaseModel):
        for name in type(section).model_fields:
            if name in section.model_fields_set:
                yield name, getattr(section, name)


def _merge(key: str, layers: Sequence[tuple[str, BaseModel]], together: Sequence[str] = ()
           ) -> _Merged | None:
    """Return section ``key`` merged over ``layers`` (prefix, section; later wins per key),
    None if no layer gives it.  A layer naming any key of ``together`` (alternatives such as
    the two password sources) replaces all of them from the layers under it."""
    merged: _Merged | None = None
    for prefix, layer in layers:
        if key not in layer.model_fields_set:
            continue
        given = {k: (v, child(child(prefix, key), k)) for k, v in _given(getattr(layer, key))}
        merged = dict(merged or {})
        if any(alternative in given for alternative in together):
            for alternative in together:
                merged.pop(alternative, None)
        merged.update(given)
    return merged


def _scalar(key: str, layers: Sequence[tuple[str, BaseModel]], default: Any) -> Any:
    """Return scalar ``key`` from the last layer giving it, else ``default``."""
    for _, layer in reversed(layers):
        if key in layer.model_fields_set:
            return getattr(layer, key)
    return default


# ---------------------------------------------------------------------------------------------
# One router


def merge_router(name: str, own: RouterSection, defaults: DefaultsSection, problems: Problems
                 ) -> RouterSpec:
    """Return router ``name`` with ``defaults`` merged under its own keys; report problems."""
    base = child("routers", name)
    layers: list[tuple[str, BaseModel]] = [("defaults", defaults), (base, own)]
    emulated = bool(_scalar("emulated", layers, False))
    endpoints = _endpoints(own, base, emulated, problems)
    # Lab routers take no emulator-only sections from the defaults (a mixed testbed is fine),
    # but a lab router that sets one itself is told.
    emulator_layers = layers if emulated else layers[1:]
    login = _credentials(_merge("credentials", layers, _PASSWORD_SOURCES),
                         child(base, "credentials"), name, emulated, problems)
    host_keys = _host_keys(_merge("host_keys", layers), emulated)
    if not emulated:
        _lint_lab(_merge("credentials", layers, _PASSWORD_SOURCES), host_keys, base, problems)
    return RouterSpec(
        name=name,
        platform=_platform(layers, base, problems),
        emulated=emulated,
        allow_disruptive=bool(_scalar("allow_disruptive", layers, emulated)),
        endpoints=endpoints,
        master_only=_endpoint(own.master_only, child(base, "master_only"), emulated, problems),
        console=_console(own, base, tuple(endpoints), emulated, problems),
        credentials=login,
        control=_control(emulator_layers, base, name, emulated, login, problems),
        host_keys=host_keys,
        timeouts=_timeouts(_merge("timeouts", layers)),
        budgets=_budgets(_merge("budgets", layers)),
        faults=_faults(_merge("faults", layers)),
        emulator=_emulator(emulator_layers, base, name, tuple(endpoints), emulated, problems),
        snapshots=_snapshots(layers),
    )


def _platform(layers: Sequence[tuple[str, BaseModel]], base: str, problems: Problems) -> str:
    """Return the platform name (the emulator's catalogue checks it, not the loader)."""
    platform = _scalar("platform", layers, None)
    if platform is None:
        problems.add(child(base, "platform"), "a platform name such as 'MX480'", "nothing")
    return str(platform or "")


def _endpoint(section: EndpointSection | None, path: str, emulated: bool, problems: Problems,
              *, port_required: bool = False) -> Endpoint | None:
    """Return the endpoint of ``section``: a missing port is 0 if emulated, else NETCONF's 830
    (or a problem where it is required); port 0 is refused on a lab router."""
    if section is None:
        return None
    port = section.port
    if port is None and port_required:
        problems.add(child(path, "port"), "an integer 0..65535", "nothing")
    elif port is None:
        port = 0 if emulated else NETCONF_PORT
    elif port == 0 and not emulated:
        problems.add(child(path, "port"), _LAB_PORT_ZERO, "0")
    return Endpoint(section.host, port or 0)


def _endpoints(own: RouterSection, base: str, emulated: bool, problems: Problems
               ) -> dict[str, Endpoint]:
    """Return the per-RE endpoints; re0 is required, re1 optional (single-RE platforms)."""
    if own.re0 is None:
        problems.add(child(base, "re0"), "a mapping {host, port}", "nothing")
    found = {re_name: _endpoint(getattr(own, re_name), child(base, re_name), emulated, problems)
             for re_name in RE_NAMES}
    return {re_name: endpoint for re_name, endpoint in found.items() if endpoint is not None}


def _per_re(section: Any, path: str, re_names: Sequence[str], problems: Problems
            ) -> dict[str, Any]:
    """Return the entries of a per-RE section for REs this router has; report the others."""
    entries = dict(_given(section))
    for re_name in list(entries):
        if re_name not in re_names:
            problems.add(child(path, re_name), f"an RE this router has ({quoted(re_names)})",
                         repr(re_name))
            del entries[re_name]
    return entries


def _console(own: RouterSection, base: str, re_names: Sequence[str], emulated: bool,
             problems: Problems) -> dict[str, Endpoint]:
    """Return the console endpoints per RE (a terminal server's host and port)."""
    path = child(base, "console")
    found = {re_name: _endpoint(section, child(path, re_name), emulated, problems,
                                port_required=True)
             for re_name, section in _per_re(own.console, path, re_names, problems).items()}
    return {re_name: endpoint for re_name, endpoint in found.items() if endpoint is not None}


def _credentials(entries: _Merged | None, path: str, router: str, emulated: bool,
                 problems: Problems) -> Credentials:
    """Return the credentials of ``path``; a missing section or username is reported, and an
    emulated router's user needs a password (the emulator logs users in by password only: an
    empty one must never let anyone in)."""
    if entries is None:
        problems.add(path, "a mapping with a username (here or under defaults)", "nothing")
        return Credentials(username="", router=router)
    username = entries.get("username", (None, ""))[0]
    if username is None:
        problems.add(child(path, "username"), "a user name", "nothing")
    if "password" in entries and "password_env" in entries:
        problems.add(entries["password_env"][1], "password or password_env, not both", "both")
    if emulated and "password" not in entries and "password_env" not in entries:
        problems.add(path, "a password or password_env (an emulated router logs users in by "
                     "password only)", "neither")
    key_file = entries.get("key_file", (None, ""))[0]
    origin_path = entries["password_env"][1] if "password_env" in entries else path
    return Credentials(
        username=username or "",
        secret=entries.get("password", (None, ""))[0],
        password_env=entries.get("password_env", (None, ""))[0],
        key_file=Path(key_file).expanduser() if key_file is not None else None,
        allow_agent=bool(entries.get("allow_agent", (False, ""))[0]),
        router=router,
        origin=f"{problems.source}: {origin_path}",
    )


def _control(layers: Sequence[tuple[str, BaseModel]], base: str, name: str, emulated: bool,
             login: Credentials, problems: Problems) -> Credentials | None:
    """Return the emulator's control user: required if emulated, refused on a lab router, and
    never the login user (that login would become the control user)."""
    entries = _merge("control", layers, _PASSWORD_SOURCES)
    path = child(base, "control")
    if not emulated:
        if entries is not None:
            problems.add(path, "no control user on a lab router (emulated only)",
                         "a control section")
        return None
    control = _credentials(entries, path, name, emulated, problems)
    if control.username and control.username.casefold() == login.username.casefold():
        where = entries["username"][1] if entries and "username" in entries else path
        problems.add(where, f"a control user other than the login user {login.username!r}",
                     show(control.username))
    return control


def _host_keys(entries: _Merged | None, emulated: bool) -> HostKeys:
    """Return the host-key policy; defaults: ignore if emulated, known_hosts for a lab."""
    entries = entries or {}
    default = HostKeyPolicy.IGNORE if emulated else HostKeyPolicy.KNOWN_HOSTS
    policy = entries.get("policy", (default, ""))[0]
    known = entries.get("known_hosts", (None, ""))[0]
    if known is None and policy is not HostKeyPolicy.IGNORE:
        known = "~/.ssh/known_hosts"
    return HostKeys(policy, Path(known).expanduser() if known is not None else None)


def _timeouts(entries: _Merged | None) -> Timeouts:
    """Return the timeouts given, defaults for the rest."""
    return Timeouts(**{key: float(value) for key, (value, _) in (entries or {}).items()})


def _budgets(entries: _Merged | None) -> Budgets:
    """Return the budgets given, defaults for the rest."""
    return Budgets(**{key: float(value) for key, (value, _) in (entries or {}).items()})


def _faults(entries: _Merged | None) -> dict[str, FaultAction]:
    """Return the faults by name (free-form names such as halt_re, power_on_re)."""
    faults: dict[str, FaultAction] = {}
    for name, (section, _) in (entries or {}).items():
        assert isinstance(section, FaultSection)
        faults[name] = FaultAction(rpc=section.rpc, command=section.command,
                                   args=dict(section.args or {}))
    return faults


def _emulator(layers: Sequence[tuple[str, BaseModel]], base: str, name: str,
              re_names: Sequence[str], emulated: bool, problems: Problems
              ) -> EmulatorSettings | None:
    """Return the emulator settings of an emulated router; refused on a lab router.  The
    hostname defaults to the router name."""
    entries = _merge("emulator", layers)
    if not emulated:
        if entries is not None:
            problems.add(child(base, "emulator"), "no emulator section on a lab router",
                         "an emulator section")
        return None
    entries = entries or {}

    def value(key: str, default: Any) -> Any:
        return entries[key][0] if key in entries else default

    def per_re(key: str) -> dict[str, str]:
        if key not in entries:
            return {}
        return _per_re(entries[key][0], entries[key][1], re_names, problems)

    return EmulatorSettings(
        time=value("time", TimeMode.VIRTUAL),
        versions=per_re("versions"),
        re_models=per_re("re_models"),
        serials=per_re("serials"),
        hostname=value("hostname", name),
        config=value("config", ""),
        boot_time=None if "boot_time" not in entries else float(value("boot_time", 0.0)),
        platform=value("platform", None),
        netconf_base_1_1=bool(value("netconf_base_1_1", False)),
        state_dir=Path(value("state_dir", "")).expanduser() if "state_dir" in entries else None,
        limits=value("limits", None),
    )


def _snapshots(layers: Sequence[tuple[str, BaseModel]]) -> SnapshotSettings:
    """Return the snapshot settings: each layer's over the ones under it (items by name, the
    router's rules before the defaults', the last ``defaults`` flag given)."""
    settings = SnapshotSettings()
    for prefix, layer in layers:
        section = getattr(layer, "snapshots", None)
        if isinstance(section, SnapshotsSection):
            settings = settings_of(section, child(prefix, "snapshots"), settings)
    return settings


def _lint_lab(credentials: _Merged | None, host_keys: HostKeys, base: str,
              problems: Problems) -> None:
    """Warn about what a lab router may do but should not: a password in the file, no key check."""
    if credentials is not None and "password" in credentials:
        problems.warn(credentials["password"][1],
                      "a lab router's password is written in the file; prefer password_env")
    if host_keys.policy is HostKeyPolicy.IGNORE:
        problems.warn(child(base, "host_keys.policy"),
                      "a lab router's host key is not checked; prefer known_hosts or accept_new")


# ---------------------------------------------------------------------------------------------
# Across routers


def _labelled_endpoints(spec: RouterSpec) -> Iterator[tuple[str, Endpoint]]:
    """Yield every endpoint of ``spec`` with its key path."""
    base = child("routers", spec.name)
    for re_name, endpoint in spec.endpoints.items():
        yield child(base, re_name), endpoint
    if spec.master_only is not None:
        yield child(base, "master_only"), spec.master_only
    for re_name, endpoint in spec.console.items():
        yield child(base, f"console.{re_name}"), endpoint


def check_unique(routers: Mapping[str, RouterSpec], problems: Problems) -> None:
    """Report a fixed host:port used twice (a copy-paste slip would drive the wrong router)."""
    seen: dict[tuple[str, int], str] = {}
    for spec in routers.values():
        for path, endpoint in _labelled_endpoints(spec):
            if endpoint.port == 0 or not endpoint.host:
                continue
            key = (endpoint.host.lower(), endpoint.port)
            if key in seen:
                expected = f"an address no other endpoint uses ({seen[key]} has it)"
                problems.add(path, expected, repr(str(endpoint)))
            else:
                seen[key] = path
