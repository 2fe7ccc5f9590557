"""Tests of ``harness.snapshots``' diff: the built-in HA rules (roles swap across a switchover,
uptimes move forward, logs grow, FPCs restart without GRES), a changed configuration line
reported, the caller's rules first, the plain words, JSON in and out, and replies normalised from
golden samples.  Snapshots are built by hand; no router."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from harness.session import strip_namespaces
from harness.snapshots import (
    DEFAULT_ITEMS,
    Capture,
    Snapshot,
    SnapshotError,
    Verdict,
    diff,
    load_snapshot,
)
from harness.snapshots.items import DEFAULT_KEYS, SnapshotPlan, request_of
from harness.snapshots.normalise import lines_of, text_of, tree_of
from re_contract.snapshots import SnapshotItemSpec, SnapshotSettings
from tests.shared import sample_text

T0 = 1_768_254_600.0
LOG = ["Jan 12 21:50:00 event = E_CFG_M, state = booting, param = 0x0",
       "Jan 12 21:50:00 new state = master"]
SWITCH_LOG = ["Jan 12 21:55:00 event = E_CMD_S, state = master, param = 0x0",
              "Jan 12 21:55:00 new state = backup"]


def route_engines(master: str, uptime: int) -> dict[str, Any]:
    other = {"re0": "re1", "re1": "re0"}[master]
    def entry(name: str) -> dict[str, Any]:
        return {"slot": name[-1], "mastership-state": "master" if name == master else "backup",
                "status": "OK", "cpu-idle": "97", "up-time": uptime,
                "start-time": int(T0 - 529200)}
    return {f"route-engine[{n[-1]}]": entry(n) for n in sorted((master, other))}


def snap(name: str, master: str, *, at: float = T0, uptime: int = 529200,
         config: tuple[str, ...] = ("set system host-name r1",), log: list[str] = LOG,
         fpc: str = "Online", fpc_up: int | None = None, gres: str = "Off") -> Snapshot:
    """A snapshot of a dual-RE router with ``master`` master, ``at`` router time."""
    backup = {"re0": "re1", "re1": "re0"}[master]
    items = tuple(i for i in DEFAULT_ITEMS
                  if i.name in ("re-status", "configuration", "fpc", "switchover",
                                "mastership-log", "alarms"))
    each = {"re-status": route_engines(master, uptime), "configuration": list(config),
            "mastership-log": list(log)}
    captures = {item: {re: Capture(re, copy.deepcopy(value)) for re in ("re0", "re1")}
                for item, value in each.items()}
    captures["fpc"] = {"master": Capture(master, {
        f"fpc[{n}]": {"slot": str(n), "state": fpc, "up-time": str(uptime if fpc_up is None
                                                                      else fpc_up),
                      "temperature": "30"}
        for n in (0, 1)})}
    captures["switchover"] = {"backup": Capture(backup, {"switchover-state": gres})}
    captures["alarms"] = {re: Capture(re, error="RpcFailedError: syntax error")
                          for re in ("re0", "re1")}
    return Snapshot(name, "r1", at, at + 1, 0.0, {master: "master", backup: "backup"}, items,
                    captures)


def unexpected_paths(found: Any) -> list[str]:
    return [c.path for c in found.unexpected]


# ------------------------------------------------------------------------------ HA rules
def test_a_switchover_swaps_roles_and_moves_uptimes_as_expected() -> None:
    pre = snap("pre", "re0")
    post = snap("post", "re1", at=T0 + 300, uptime=529500, log=LOG + SWITCH_LOG,
                fpc_up=200)
    found = diff(pre, post)
    assert found.clean, found.explain()
    assert found.context.switchover
    swapped = [c for c in found.expected if c.path.endswith("mastership-state")]
    assert len(swapped) == 4 and all(c.rule.startswith("role-swap") for c in swapped)
    moved = [c for c in found.expected if c.path.endswith("re-status/re0/route-engine[0]/up-time")]
    assert moved and "+300 s" in moved[0].reason
    words = found.explain()
    assert "Mastership moved from re0 to re1: a switchover (graceful switchover off)" in words
    assert "the RE roles swap across a switchover" in words
    assert "uptimes move forward with the router clock" in words
    assert "Verdict: no unexpected change" in words


def test_a_configuration_line_changed_is_unexpected_and_the_ha_changes_are_not() -> None:
    pre = snap("pre", "re0")
    post = snap("post", "re1", at=T0 + 300, uptime=529500, log=LOG + SWITCH_LOG, fpc_up=200,
                config=("set system host-name r1-changed",))
    found = diff(pre, post)
    assert sorted(unexpected_paths(found)) == sorted(
        f"configuration/{re}/set system host-name {name}"
        for re in ("re0", "re1") for name in ("r1", "r1-changed"))
    assert not any("mastership-state" in p or "up-time" in p for p in unexpected_paths(found))
    assert "Verdict: UNEXPECTED CHANGES" in found.explain()


def test_an_uptime_that_went_back_is_a_restart() -> None:
    found = diff(snap("pre", "re0"), snap("post", "re0", at=T0 + 300, uptime=100))
    assert any(p.endswith("up-time") for p in unexpected_paths(found))
    assert "went back: restarted" in found.explain()


def test_an_uptime_that_stood_still_while_time_passed_is_unexpected() -> None:
    found = diff(snap("pre", "re0"), snap("post", "re0", at=T0 + 300))
    assert any(p.endswith("up-time") for p in unexpected_paths(found))


def test_roles_that_changed_without_a_switchover_are_unexpected() -> None:
    pre = snap("pre", "re0")
    post = snap("post", "re0", at=T0 + 10, uptime=529210)
    post.captures["re-status"]["re1"].value["route-engine[1]"]["mastership-state"] = "disabled"
    found = diff(pre, post)
    assert unexpected_paths(found) == ["re-status/re1/route-engine[1]/mastership-state"]


def test_fpcs_may_restart_across_a_switchover_without_gres_but_not_with_it() -> None:
    pre_off, pre_on = snap("pre", "re0"), snap("pre", "re0", gres="On")
    kw: dict[str, Any] = {"at": T0 + 300, "uptime": 529500, "log": LOG + SWITCH_LOG,
                          "fpc_up": 100}
    assert diff(pre_off, snap("post", "re1", **kw)).clean
    with_gres = diff(pre_on, snap("post", "re1", gres="On", **kw))
    assert unexpected_paths(with_gres) == ["fpc/master/fpc[0]/up-time",
                                           "fpc/master/fpc[1]/up-time"]


def test_a_switch_and_back_is_read_from_the_log() -> None:
    back = ["Jan 12 21:59:00 new state = master"]
    found = diff(snap("pre", "re0"), snap("post", "re0", at=T0 + 300, uptime=529500,
                                          log=LOG + SWITCH_LOG + back, fpc_up=60))
    assert found.clean, found.explain()
    assert found.context.role_changes == 2 and not found.context.switchover
    assert "changed hands in between" in found.explain()


def test_logs_grow_but_lines_must_not_vanish() -> None:
    grown = diff(snap("pre", "re0"), snap("post", "re0", at=T0 + 5, uptime=529205,
                                          log=LOG + ["Jan 12 21:51:00 hello"]))
    assert grown.clean
    assert any("1 new line(s)" in c.reason for c in grown.expected)
    cleared = diff(snap("pre", "re0"), snap("post", "re0", at=T0 + 5, uptime=529205,
                                            log=["Jan 12 21:51:00 hello"]))
    assert [c.path for c in cleared.unexpected] == ["mastership-log/re0", "mastership-log/re1"]
    assert "rotated or cleared" in cleared.unexpected[0].reason


def test_volatile_counters_are_not_compared() -> None:
    post = snap("post", "re0", at=T0 + 5, uptime=529205)
    post.captures["re-status"]["re0"].value["route-engine[0]"]["cpu-idle"] = "12"
    found = diff(snap("pre", "re0"), post)
    assert found.clean
    assert [c.path for c in found.ignored] == ["re-status/re0/route-engine[0]/cpu-idle"]


def test_items_no_re_answered_are_listed_not_compared() -> None:
    found = diff(snap("pre", "re0"), snap("post", "re0", at=T0 + 5, uptime=529205))
    assert ("alarms/re0", "RpcFailedError: syntax error") in found.unavailable
    assert "Not compared (no answer in either snapshot):" in found.explain()


def test_an_re_that_stopped_answering_is_unexpected() -> None:
    post = snap("post", "re0", at=T0 + 5, uptime=529205)
    post.captures["configuration"]["re1"] = Capture("re1", error="ConnectError: refused")
    found = diff(snap("pre", "re0"), post)
    assert unexpected_paths(found) == ["configuration/re1"]
    assert "now: no answer (ConnectError: refused)" in found.unexpected[0].reason


# ------------------------------------------------------------------------------ rules
def test_the_callers_rules_come_first() -> None:
    pre = snap("pre", "re0")
    post = snap("post", "re0", at=T0 + 5, uptime=529205, config=("set system host-name x",))
    found = diff(pre, post, {"configuration": "may-change", "fpc/*/state": {"is-equal": "Up"}})
    assert unexpected_paths(found) == ["fpc/master/fpc[0]/state", "fpc/master/fpc[1]/state"]
    assert all(c.verdict is Verdict.EXPECTED for c in found.changes
               if c.item == "configuration")


def test_without_ha_rules_a_switchover_is_all_changes() -> None:
    pre, post = snap("pre", "re0"), snap("post", "re1", at=T0 + 300, uptime=529500)
    assert len(diff(pre, post, ha=False).unexpected) > len(diff(pre, post).unexpected)


def test_snapshots_of_two_routers_diff_only_when_asked() -> None:
    other = snap("post", "re0")
    other = Snapshot(other.name, "r2", other.started, other.finished, other.wall, other.roles,
                     other.items, other.captures)
    with pytest.raises(SnapshotError, match="two routers"):
        diff(snap("pre", "re0"), other)
    # A lab router and its clone are compared on purpose (issue 16, re-emulator clone).
    clone = diff(snap("lab", "re0"), other, {"up-time": "ignore"}, across_routers=True)
    assert clone.router == "r1 vs r2" and clone.clean, clone.explain()


# ------------------------------------------------------------------------------ files
def test_a_snapshot_and_a_diff_round_trip_through_json(tmp_path: Path) -> None:
    pre = snap("pre", "re0")
    loaded = load_snapshot(pre.save(tmp_path / "pre.json"))
    assert loaded == pre
    json_path, text_path = diff(pre, snap("post", "re0", at=T0 + 5, uptime=529205)).save(
        tmp_path)
    data = json.loads(json_path.read_text())
    assert data["clean"] is True and data["context"]["master_after"] == "re0"
    assert "Verdict: no unexpected change" in text_path.read_text()


def test_a_file_that_is_no_snapshot_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(SnapshotError, match="bad.json: expected a re-harness-snapshot"):
        load_snapshot(bad)


# ------------------------------------------------------------------------------ replies
def test_route_engines_of_a_real_reply_are_keyed_by_slot_with_seconds_as_numbers() -> None:
    reply = strip_namespaces(etree.fromstring(
        sample_text("get-route-engine-information.dual.mx480.pyez.xml").encode()))
    tree = tree_of(reply, DEFAULT_KEYS)
    assert set(tree) == {"route-engine[0]", "route-engine[1]"}
    engine = tree["route-engine[0]"]
    assert isinstance(engine["up-time"], int) and engine["mastership-state"] == "master"


def test_interfaces_are_keyed_by_name_or_else_by_position() -> None:
    reply = strip_namespaces(etree.fromstring(sample_text(
        "get-interface-information.juniper-private1-terse.dual-re0-master.pyez.xml").encode()))
    tree = tree_of(reply, DEFAULT_KEYS)
    # This capture's physical interfaces carry no <name>: they are told apart by position;
    # its <cli><banner> is dropped (the role is re-status's).
    assert "physical-interface[1]" in tree and "cli" not in tree
    assert "logical-interface[lc-0/0/0.32769]" in tree["physical-interface[1]"]


def test_text_replies_become_lines() -> None:
    reply = etree.fromstring(sample_text("command.text.show-system-alarms.pyez.xml").encode())
    lines = lines_of(text_of(strip_namespaces(reply)))
    assert lines and all(line == line.rstrip() and line for line in lines)
    assert lines_of("a\n\n b  \nc\nd", tail=2) == ["c", "d"]


def test_requests_of_the_builtin_items() -> None:
    shown = {i.name: etree.tostring(request_of(i), encoding=str) for i in DEFAULT_ITEMS}
    assert shown["configuration"] == ('<get-configuration database="committed" '
                                      'format="set"/>')
    assert shown["interfaces"] == "<get-interface-information><terse/></get-interface-information>"
    assert shown["mastership-log"] == ('<get-log format="text"><filename>mastership</filename>'
                                       '</get-log>')
    command = SnapshotItemSpec("x", command="show chassis alarms")
    assert etree.tostring(request_of(command), encoding=str) == (
        "<command>show chassis alarms</command>")


def test_a_plan_adds_replaces_or_drops_the_builtin_items() -> None:
    extra = SnapshotItemSpec("bgp", rpc="get-bgp-summary-information")
    alarms = SnapshotItemSpec("alarms", rpc="get-alarm-information")
    plan = SnapshotPlan.of(SnapshotSettings(items={"bgp": extra, "alarms": alarms}))
    assert plan.item("bgp") is extra and plan.item("alarms") is alarms
    assert len(plan.items) == len(DEFAULT_ITEMS) + 1
    only = SnapshotPlan().extended(SnapshotSettings(defaults=False, items={"bgp": extra}))
    assert only.items == (extra,)
    with pytest.raises(KeyError, match="no snapshot item 'nope'"):
        plan.only(["nope"])


# ------------------------------------------------------------------------------ settling
class VirtualClock:
    """Router time moved by sleeps; ``changes``: the times the router changes by itself, when
    the clock knows them (None: it cannot tell, as a wall clock)."""

    def __init__(self, changes: tuple[float, ...] | None = None) -> None:
        self.t, self.slept = T0 + 300, []
        self.changes = changes

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float, what: str = "") -> None:
        self.slept.append(seconds)
        self.t += seconds

    def pause(self, seconds: float, what: str = "") -> bool:
        before = self.t
        self.sleep(seconds, what)
        return self.changes is None or any(before < c <= self.t for c in self.changes)

    def wait_until(self, predicate: Any, timeout: float, what: str, poll: float = 1.0,
                   *, state_only: bool = False) -> Any:
        raise AssertionError("not used")


def test_the_post_snapshot_reads_settling_items_again_until_they_settle() -> None:
    from harness.snapshots.settle import settled_diff

    clock, asked = VirtualClock(), []

    def take(name: str, plan: SnapshotPlan) -> Snapshot:
        asked.append(tuple(i.name for i in plan.items))
        online = clock.t >= T0 + 330  # the FPCs are back 30 s after the first reading
        return snap(name, "re1", at=clock.t, uptime=int(529200 + clock.t - T0),
                    log=LOG + SWITCH_LOG, fpc="Online" if online else "Offline", fpc_up=5)

    pre = snap("pre", "re0")
    plan = SnapshotPlan(pre.items)
    post, found = settled_diff(take, clock, pre, plan, settle=600)
    assert found.clean, found.explain()
    assert clock.slept == [5.0, 10.0, 20.0]  # each wait twice the one before
    assert asked[0] == tuple(i.name for i in pre.items)
    assert all(set(names) == {"fpc", "alarms", "switchover"} for names in asked[1:])
    assert post.started == T0 + 300 and post.finished == T0 + 336  # spans every reading
    clock = VirtualClock()  # again, with too short a limit: the FPCs are not back by then
    gave_up = settled_diff(take, clock, pre, plan, settle=12)[1]
    assert [c.item for c in gave_up.unexpected] == ["fpc", "fpc"]


def test_the_post_snapshot_skips_the_readings_a_quiet_router_would_answer_alike() -> None:
    from harness.snapshots.settle import settled_diff

    # The router's one change: the FPCs back 30 s after the first reading.
    clock, asked = VirtualClock(changes=(T0 + 330,)), []

    def take(name: str, plan: SnapshotPlan) -> Snapshot:
        asked.append(clock.t)
        online = clock.t >= T0 + 330
        return snap(name, "re1", at=clock.t, uptime=int(529200 + clock.t - T0),
                    log=LOG + SWITCH_LOG, fpc="Online" if online else "Offline", fpc_up=5)

    pre = snap("pre", "re0")
    post, found = settled_diff(take, clock, pre, SnapshotPlan(pre.items), settle=600)
    assert found.clean, found.explain()
    # Same waits as ever (5, 10, 20 s), but read again only after the change: at +35 s.
    assert clock.slept == [5.0, 10.0, 20.0] and asked == [T0 + 300, T0 + 335]
    assert post.finished == T0 + 336  # the reading at +35 s (snap() takes 1 s)
