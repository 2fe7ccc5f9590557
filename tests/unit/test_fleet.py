"""``re-emulator fleet``: a deterministic testbed of N emulated routers covering every platform
of the catalogue, on loopback, spread over hosts in the slices ``serve --shard`` takes; the
shipped ``testbeds/emulated-fleet-100.yaml`` is its output."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.app import Shard, main, shard_slice
from emulator.fleet import FleetError, dual_re_platforms, fleet_routers, fleet_yaml
from emulator.model.platforms import get_platform, platform_names
from emulator.testbed_bridge import entries_from_testbed
from re_contract.testbed import default_testbed_path, load_testbed

SHIPPED = default_testbed_path().parent / "emulated-fleet-100.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(text)
    return path


def test_the_shipped_fleet_is_the_commands_output() -> None:
    assert SHIPPED.read_text() == fleet_yaml(100), (
        "testbeds/emulated-fleet-100.yaml is stale: regenerate it with "
        "`re-emulator fleet --routers 100 --out testbeds/emulated-fleet-100.yaml`")


def test_a_hundred_routers_cover_every_platform_redundant_and_single_re() -> None:
    testbed = load_testbed(SHIPPED)
    assert len(testbed.routers) == 100
    platforms = {spec.platform for spec in testbed.routers.values()}
    assert platforms == set(platform_names())
    for spec in testbed.routers.values():
        assert spec.emulated and all(ep.loopback and ep.port == 0
                                     for ep in spec.endpoints.values())
        assert len(spec.endpoints) == get_platform(spec.platform).re_slots
    assert {len(s.endpoints) for s in testbed.routers.values()} == {1, 2}
    assert len(entries_from_testbed(str(SHIPPED))) == 100


def test_the_same_arguments_write_the_same_bytes_and_names_are_unique() -> None:
    assert fleet_yaml(37, hosts=("127.0.0.1", "127.0.0.2")) == fleet_yaml(
        37, hosts=("127.0.0.1", "127.0.0.2"))
    names = [name for name, _ in fleet_routers(1000)]
    assert len(set(names)) == 1000 and names[0] == "m5-0001"


def test_hosts_take_the_slices_serve_shard_takes(tmp_path: Path) -> None:
    hosts = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
    entries = entries_from_testbed(str(_write(tmp_path, fleet_yaml(20, hosts=hosts))))
    for index, host in enumerate(hosts):
        shard = shard_slice(entries, Shard(index, len(hosts)))
        assert shard and {h for e in shard for h, _ in e.listen.values()} == {host}


def test_base_port_gives_each_re_a_port_of_its_own(tmp_path: Path) -> None:
    testbed = load_testbed(_write(tmp_path, fleet_yaml(16, base_port=20000)))
    ports = [ep.port for spec in testbed.routers.values() for ep in spec.endpoints.values()]
    assert len(set(ports)) == len(ports)
    first = next(iter(testbed.routers.values()))
    assert first.endpoints["re0"].port == 20000
    assert max(ports) <= 20000 + 2 * 16 - 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"count": 0}, "routers: expected at least 1, got 0"),
    ({"count": 3, "hosts": ("10.0.0.1",)}, "hosts: expected loopback addresses"),
    ({"count": 3, "hosts": ()}, "hosts: expected at least one loopback host"),
    ({"count": 40000, "base_port": 1000}, "base-port: expected ports 1000..80999 within"),
])
def test_arguments_that_make_no_fleet(kwargs: dict[str, object], message: str) -> None:
    count = kwargs.pop("count")
    with pytest.raises(FleetError, match=message):
        fleet_yaml(count, **kwargs)  # type: ignore[arg-type]


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.yaml"
    assert main(["fleet", "--routers", "14", "--out", str(out), "--hosts",
                 "127.0.0.1,127.0.0.2", "--name", "lab-fleet"]) == 0
    assert out.read_text() == fleet_yaml(14, hosts=("127.0.0.1", "127.0.0.2"),
                                         name="lab-fleet")
    assert main(["fleet", "--routers", "2", "--out", "-"]) == 0
    assert capsys.readouterr().out == fleet_yaml(2)
    assert main(["fleet", "--routers", "2", "--out", "-", "--hosts", "192.0.2.1"]) == 2
    assert "expected loopback addresses" in capsys.readouterr().err


def test_dual_re_fleets_give_every_router_two_res(tmp_path: Path) -> None:
    testbed = load_testbed(_write(tmp_path, fleet_yaml(25, platforms=dual_re_platforms())))
    assert {len(spec.endpoints) for spec in testbed.routers.values()} == {2}
    assert {spec.platform for spec in testbed.routers.values()} == set(dual_re_platforms())
    assert "M5" not in dual_re_platforms() and "MX480" in dual_re_platforms()


def test_named_platforms_are_taken_in_turn_in_the_catalogues_spelling() -> None:
    routers = fleet_routers(5, ["mx480", "MX960", "mx480"])
    assert routers == [("mx480-001", "MX480"), ("mx960-002", "MX960"), ("mx480-003", "MX480"),
                       ("mx960-004", "MX960"), ("mx480-005", "MX480")]
    assert "--platforms MX480,MX960" in fleet_yaml(5, platforms=["mx480", "MX960"])


@pytest.mark.parametrize(("platforms", "message"), [
    ([], "platforms: expected at least one platform of the catalogue, got none"),
    (["MX480", "MX9999"], "platforms: expected one of M5, .*, got 'MX9999'"),
])
def test_platforms_that_make_no_fleet(platforms: list[str], message: str) -> None:
    with pytest.raises(FleetError, match=message):
        fleet_yaml(3, platforms=platforms)


def test_the_command_takes_platforms_or_every_dual_re_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "--routers", "4", "--out", "-", "--dual-re"]) == 0
    assert capsys.readouterr().out == fleet_yaml(4, platforms=dual_re_platforms())
    assert main(["fleet", "--routers", "4", "--out", "-", "--platforms", "MX480, T640"]) == 0
    assert capsys.readouterr().out == fleet_yaml(4, platforms=["MX480", "T640"])
    assert main(["fleet", "--routers", "4", "--out", "-", "--platforms", "Q9"]) == 2
    assert "platforms: expected one of" in capsys.readouterr().err
