"""One emulated router: chassis + per-RE configuration databases + files.

This is the object a face (NETCONF session, CLI) works on.  It is built from plain parameters
(:class:`RouterParams`), never from a testbed file: the server translates the testbed.  It holds
no lock and no session or wire state: the server calls it from one event loop, and keeps the
fault switches that act on the wire (truncated replies, dropped sessions) in its own per-router
entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.model import config as cfg
from emulator.model.chassis import Chassis, ChassisParams, RedundancySettings
from emulator.model.clock import VirtualClock
from emulator.model.errors import CommandRefusedError, ModelError, UnreachableError
from emulator.model.platforms import PlatformSpec, junos_release
from emulator.model.platforms import resolve_platform as _resolve
from emulator.model.recorded import RecordedState
from emulator.model.routing_engine import REHardware, Role, RoutingEngine
from emulator.model.serials import chassis_serial, module_serial, re_serial
from re_contract.platform import PlatformOverride

__all__ = [
    "COMMIT_SYNC_RELEASE",
    "FILE_COPY_RELEASE",
    "CommitOutcome",
    "RouterModel",
    "RouterParams",
    "resolve_platform",
]

#: Chapter, "Synchronize Configurations": "Both Routing Engines must be running JUNOS software
#: Release 5.1 or higher."
COMMIT_SYNC_RELEASE = (5, 1)
#: Chapter, "Copy a Configuration File": "Both Routing Engines must have jbase version 4.1 or
#: higher loaded."
FILE_COPY_RELEASE = (4, 1)


#: /etc/hosts.junos as on a dual-RE Junos router (sample file-show.etc-hosts.junos.dual).
HOSTS_JUNOS = """#
# Single Chassis Hostnames
#
128.0.0.1        master
128.0.0.1        node
128.0.0.1        fwdd
128.0.0.1        member
128.0.0.1        pfem
128.0.0.4        re0
128.0.0.5        re1
128.0.0.6        backup
"""


@dataclass(frozen=True, slots=True)
class RouterParams:
    """Everything needed to build a router model (the server fills it from the testbed)."""

    name: str
    platform: str = "MX480"
    hostname: str | None = None
    versions: dict[int, str] = field(default_factory=dict)
    re_models: dict[int, str] = field(default_factory=dict)
    serials: dict[int, str] = field(default_factory=dict)
    config: str = ""
    #: Seconds an RE takes to boot; None: the platform's ``timing.boot``.
    boot_time: float | None = None
    #: This router's own platform fields (DESIGN.md: "A platform catalogue is data, extensible
    #: from the testbed"), e.g. ``PlatformOverride(re_model="RE-S-2X00x6")`` or, with
    #: ``platform="MX480-lab"``, ``PlatformOverride(base="MX480", fpc_slots=2)``.
    platform_override: PlatformOverride | None = None
    #: A recorded state (``re-emulator clone``, the testbed's ``emulator.state_dir``) the router
    #: is built from: per RE its committed configuration and mastership log; None: ``config``.
    recorded: RecordedState | None = None


def resolve_platform(params: RouterParams) -> PlatformSpec:
    """Return the platform ``params`` names, with its own override applied.

    Raises UnknownPlatformError and PlatformSpecError (naming the override key at fault).
    """
    return _resolve(params.platform, params.platform_override)


def _populated_fpcs(platform: PlatformSpec) -> tuple[int, ...]:
    """Return the FPC slots the platform's inventory shows populated (FPC 0 and 1 if none)."""
    found = sorted(int(m.name.split()[1]) for m in platform.modules
                   if m.name.startswith("FPC ") and m.name.split()[1].isdigit())
    return tuple(s for s in found if s < max(platform.fpc_slots, 1)) or (0, 1)


@dataclass(frozen=True, slots=True)
class CommitOutcome:
    """Per-RE results of a commit, in the order Junos reports them."""

    steps: tuple[tuple[str, str], ...]  # (re name, "check" | "commit")
    warnings: tuple[str, ...] = ()


class RouterModel:
    """A dual- (or single-) RE router: the model behind every face."""

    def __init__(self, params: RouterParams, clock: VirtualClock | None = None) -> None:
        self._build(params, clock or VirtualClock())

    def reset(self) -> None:
        """Rebuild the router as new at the current virtual time (fresh logs, configuration and
        roles).  The clock keeps running forward; the faces drop the sessions they hold (the
        ``reset-router`` control RPC says so in its result)."""
        self.clock.clear_timers()
        self._build(self.params, self.clock)

    def _build(self, params: RouterParams, clock: VirtualClock) -> None:
        self.params = params
        self.name = params.name
        self.platform: PlatformSpec = resolve_platform(params)
        self.clock = clock
        host = params.hostname or params.name
        self.configs: dict[int, cfg.ConfigDatabase] = {}
        recorded = params.recorded
        for slot in range(self.platform.re_slots):
            kept = recorded.database(slot, self.clock.now()) if recorded else None
            db = kept if kept is not None else cfg.ConfigDatabase()
            base = f"set system host-name {host}\n" + params.config
            if kept is None and base.strip():
                db.load(base, format="set", action="merge")
                db.commit(self.clock.now(), user="root", log="initial configuration")
            self.configs[slot] = db
        hardware = {slot: self._hardware(slot) for slot in range(self.platform.re_slots)}
        timing = self.platform.timing
        boot = timing.boot if params.boot_time is None else params.boot_time
        self.chassis = Chassis(
            ChassisParams(hostname=host, hardware=hardware, boot_time=boot,
                          fpc_slots=_populated_fpcs(self.platform), timing=timing),
            self.clock,
            self.settings,
        )
        for slot, r in self.chassis.res.items():
            log = recorded.log(slot) if recorded else None
            if log is not None:
                r.log = log  # the recorded router continues: no boot of its own in its log
        for r in self.chassis.res.values():
            self._seed_files(r)

    def _seed_files(self, r: RoutingEngine) -> None:
        """The files the chapter's ``file list /var/tmp/`` sample shows, and /etc/hosts.junos
        (PyEZ reads it to learn which RE it is on: NOTES.md 3.12)."""
        now = self.clock.now()
        seed = {"/var/tmp/.pccardd": (b"", "="),
                "/var/tmp/jbundle-5.5R3.1-domestic.tgz": (b"jbundle", "*"),
                "/var/tmp/sampled.pkts": (b"", ""),
                "/etc/hosts.junos": (HOSTS_JUNOS.encode(), "")}
        if r.slot == 0:
            seed["/var/tmp/jinstall-6.0R3.3-domestic-signed.tgz"] = (b"jinstall", "")
        for path, (data, kind) in seed.items():
            r.files[path] = data
            r.file_mtimes[path] = now
            if kind:
                r.file_kinds[path] = kind

    def _hardware(self, slot: int) -> REHardware:
        p = self.params
        serial = p.serials.get(slot) or re_serial(self.platform.era, self.name, slot)
        return REHardware(
            model=p.re_models.get(slot, self.platform.re_model),
            serial=serial,
            version=p.versions.get(slot, self.platform.default_version),
            dram_mb=self.platform.dram_mb,
        )

    # --------------------------------------------------------------- identity
    @property
    def chassis_serial(self) -> str:
        """Return the chassis serial number: the testbed's own (``emulator.platform.
        chassis_serial``), else one of this router in its platform's format."""
        if self._override_gave("chassis_serial"):
            return self.platform.chassis_serial
        return chassis_serial(self.platform.era, self.name)

    def module_serial(self, template: str, path: str) -> str:
        """Return this router's serial of inventory module ``path`` (catalogue rows get
        serials of their own per router; a testbed's own rows keep theirs)."""
        if self._override_gave("modules"):
            return template
        return module_serial(template, self.name, path)

    def _override_gave(self, key: str) -> bool:
        override = self.params.platform_override
        return override is not None and key in override.model_fields_set

    # --------------------------------------------------------------- config
    def settings(self, slot: int) -> RedundancySettings:
        """Return the redundancy settings in RE ``slot``'s own effective configuration."""
        db = self.configs.get(slot)
        if db is None:
            return RedundancySettings()
        s = cfg.redundancy_settings(db.effective(slot))
        roles = {n: Role(r.value) for n, r in s.roles.items() if r is not None}
        return RedundancySettings(
            roles=roles,
            failover_on_loss_of_keepalives=s.failover_on_loss_of_keepalives,
            keepalive_time=s.keepalive_time,
            graceful_switchover=s.graceful_switchover,
            process_failover=frozenset(
                name for name, how in s.process_failover.items() if how == "other-routing-engine"
            ),
        )

    def hostname(self, slot: int) -> str:
        """Return the host-name RE ``slot`` runs with (groups re0/re1 applied)."""
        db = self.configs.get(slot)
        name = cfg.host_name(db.effective(slot)) if db else None
        return name or self.chassis.hostname

    def commit(
        self, slot: int, user: str, *, synchronize: bool = False, force: bool = False,
        check: bool = False, log: str | None = None, session_id: int | None = None,
    ) -> CommitOutcome:
        """Commit RE ``slot``'s candidate; with ``synchronize`` also on the other RE.

        Order of steps as in NOTES.md 3.6: re0 check, re1 check, re1 commit, re0 commit.
        Raises ModelError (commit check failed) and leaves every database unchanged on failure.
        """
        local = self.configs[slot]
        peer = self.chassis.other(slot)
        sync = (synchronize or self._sync_configured(slot)) and peer is not None
        if sync:
            self._require_release(COMMIT_SYNC_RELEASE, "commit synchronize requires JUNOS "
                                  "Release 5.1 or later on both Routing Engines")
        warnings: list[str] = []
        if sync and peer is not None and not self.chassis.reachable(slot, peer.slot):
            warnings += [f"Could not connect to {peer.name} : No route to host",
                         "Cannot connect to other RE, ignoring it"]
            sync = False
        now = self.clock.now()
        local.check()
        if session_id is not None:
            local.commit(now, user, log, check_only=True, session_id=session_id)
        if not sync:
            if check:
                return CommitOutcome(((f"re{slot}", "check"),), tuple(warnings))
            self._commit_one(slot, local, now, user, log)
            return CommitOutcome(((f"re{slot}", "commit"),), tuple(warnings))
        assert peer is not None
        other = self.configs[peer.slot]
        staged = local.candidate_text()
        other.stage_copy(staged)
        try:
            other.check()
        except ModelError:
            other.discard_staged()
            raise
        steps = [(f"re{slot}", "check"), (peer.name, "check")]
        if check:
            other.discard_staged()
            return CommitOutcome(tuple(sorted(steps)), tuple(warnings))
        self._commit_one(peer.slot, other, now, user, log)
        self._commit_one(slot, local, now, user, log)
        order = sorted(steps) + [(peer.name, "commit"), (f"re{slot}", "commit")]
        return CommitOutcome(tuple(order), tuple(warnings))

    def _commit_one(
        self, slot: int, db: cfg.ConfigDatabase, now: float, user: str, log: str | None
    ) -> None:
        old = self.settings(slot)
        db.commit(now, user=user, log=log)
        self.chassis.config_committed(slot, old)

    def confirm_commit_within(self, slot: int, seconds: float) -> None:
        """``commit confirmed``: unless another commit follows within ``seconds``, roll back to
        the previous configuration and commit it (Junos's automatic rollback)."""
        db = self.configs[slot]
        count = len(db.history)

        def expire() -> None:
            if len(db.history) == count and len(db.history) > 1:
                db.rollback(1)
                self._commit_one(slot, db, self.clock.now(), "root",
                                 "rollback: commit confirmed timed out")

        self.clock.call_later(seconds, expire, f"commit-confirmed-{slot}")

    def _sync_configured(self, slot: int) -> bool:
        return cfg.redundancy_settings(self.configs[slot].effective(slot)).commit_synchronize

    def require_file_copy(self, source: int, destination: int) -> None:
        """Refuse a ``file copy`` between REs unless both run jbase 4.1 or later (chapter:
        "Both Routing Engines must have jbase version 4.1 or higher loaded"; the jbase package
        carries the RE's Junos release).  Raises CommandRefusedError."""
        if source != destination:
            self._require_release(FILE_COPY_RELEASE, "file copy between Routing Engines "
                                  "requires jbase 4.1 or later on both Routing Engines")

    def _require_release(self, minimum: tuple[int, int], message: str) -> None:
        """Raise CommandRefusedError(``message``) unless every RE runs ``minimum`` or later."""
        for r in self.chassis.res.values():
            if junos_release(r.hardware.version) < minimum:
                raise CommandRefusedError(f"{message} ({r.name} runs {r.hardware.version})")

    def require_reachable_other(self, slot: int) -> int:
        """Return the other RE's slot.  Raises UnreachableError if it cannot be reached."""
        peer = self.chassis.other(slot)
        if peer is None or not self.chassis.reachable(slot, peer.slot):
            name = peer.name if peer else "other RE"
            raise UnreachableError(f"Could not connect to {name} : No route to host")
        return peer.slot


