"""Tests of the snapshot declarations of ``re_contract.snapshots``: a testbed's ``snapshots:``
(per router, under ``defaults``, merged), a snapshot file of its own, and the problems each
reports (file, key path, what was expected, line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from re_contract.errors import TestbedError
from re_contract.snapshots import (
    Delta,
    ReplyFormat,
    SnapshotCheck,
    SnapshotScope,
    load_snapshot_file,
    parse_delta,
)
from re_contract.testbed import load_testbed

ROUTER = """\
    platform: MX480
    emulated: true
    re0: {host: 127.0.0.1}
    re1: {host: 127.0.0.1}
    credentials: {username: lab, password: lab123}
    control: {username: ctl, password: ctl}
"""


def _testbed(tmp_path: Path, defaults: str, own: str) -> Path:
    path = tmp_path / "bed.yaml"
    path.write_text(f"defaults:\n{defaults}routers:\n  r1:\n{ROUTER}{own}")
    return path


def test_items_and_rules_merge_the_routers_over_the_defaults(tmp_path: Path) -> None:
    bed = load_testbed(_testbed(tmp_path, """\
  snapshots:
    items:
      bgp: {rpc: get-bgp-summary-information, re: master, keys: {bgp-peer: peer-address}}
    rules:
      - {path: "fpc/*/temperature", check: delta, value: "10%"}
""", """\
    snapshots:
      defaults: false
      items:
        alarms-text: {command: show chassis alarms, format: text, settles: true}
      rules:
        - {path: "bgp/*/peer-state", check: is-equal, value: Established}
"""))
    settings = bed.router("r1").snapshots
    assert not settings.defaults
    assert sorted(settings.items) == ["alarms-text", "bgp"]
    bgp, text = settings.items["bgp"], settings.items["alarms-text"]
    assert bgp.re is SnapshotScope.MASTER and bgp.keys == {"bgp-peer": "peer-address"}
    assert text.format is ReplyFormat.TEXT and text.settles and text.command
    # The router's rules first: the first rule that decides a value wins.
    assert [r.check for r in settings.rules] == [SnapshotCheck.IS_EQUAL, SnapshotCheck.TOLERANCE]
    assert settings.rules[1].value == Delta(10, percent=True)
    assert settings.rules[0].origin == "routers.r1.snapshots.rules[0]"


def test_a_router_without_snapshots_takes_the_builtin_items(tmp_path: Path) -> None:
    settings = load_testbed(_testbed(tmp_path, "  timeouts: {rpc: 30}\n", "")).router(
        "r1").snapshots
    assert settings.defaults and not settings.items and not settings.rules


def test_every_problem_is_named_with_its_path_and_line(tmp_path: Path) -> None:
    path = _testbed(tmp_path, "  timeouts: {rpc: 30}\n", """\
    snapshots:
      items:
        both: {rpc: get-x, command: show x}
        args-on-command: {command: show x, args: {a: 1}}
        scope: {rpc: get-x, re: other}
      rules:
        - {path: up-time, check: in-rnge}
        - {path: up-time, check: in-range, value: [3, 1]}
        - {path: up-time, check: ignore, value: 3}
        - {path: x, check: regex, value: "("}
""")
    with pytest.raises(TestbedError) as raised:
        load_testbed(path)
    problems = "\n".join(raised.value.problems)
    base = f"{path}: routers.r1.snapshots"
    for expected in (
            f"{base}.items.both: expected exactly one of 'rpc', 'command'",
            f"{base}.items.args-on-command.args: expected args only with rpc",
            f"{base}.items.scope.re: expected",
            f"{base}.rules[0].check: expected a check among ignore, may-change",
            f"{base}.rules[1].value: expected a pair [low, high] with low <= high, got [3, 1]",
            f"{base}.rules[2].value: expected no value with check ignore, got 3",
            f"{base}.rules[3].value: expected a regular expression"):
        assert expected in problems
    assert "(line " in problems


def test_a_snapshot_file_has_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "snaps.yaml"
    path.write_text("""\
items:
  bgp: {rpc: get-bgp-summary-information, args: {instance: master}}
rules:
  - {path: configuration, check: exclude}
""")
    settings = load_snapshot_file(path)
    assert settings.items["bgp"].args == {"instance": "master"}
    assert settings.rules[0].check is SnapshotCheck.IGNORE
    assert settings.rules[0].origin == f"{path}.rules[0]"


def test_a_bad_snapshot_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "snaps.yaml"
    path.write_text("items:\n  x: {rpc: get-x}\n  x: {rpc: get-y}\nrulez: []\n")
    with pytest.raises(TestbedError) as raised:
        load_snapshot_file(path)
    problems = "\n".join(raised.value.problems)
    assert f"{path}: items.x: expected each key once per mapping" in problems
    assert "rulez" in problems and "did you mean 'rules'?" in problems
    with pytest.raises(TestbedError, match="no such file"):
        load_snapshot_file(tmp_path / "missing.yaml")


@pytest.mark.parametrize(("text", "delta"), [
    ("10%", Delta(10, True, 0)), ("+10%", Delta(10, True, 1)), ("-5", Delta(5, False, -1)),
    (7, Delta(7)), (" 2.5 % ", Delta(2.5, True, 0)),
])
def test_deltas_as_jsnapy_writes_them(text: object, delta: Delta) -> None:
    assert parse_delta(text) == delta


@pytest.mark.parametrize("bad", ["ten", "10%%", True, None, [1]])
def test_a_bad_delta_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="a delta such as"):
        parse_delta(bad)
