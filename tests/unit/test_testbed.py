"""Unit tests of re_contract.testbed: the shipped files, every kind of error, defaults, secrets."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from re_contract import testbed as tb
from re_contract.errors import ContractError, TestbedError

LAB = """\
testbed: {name: unit}
routers:
  r1:
    platform: MX480
    re0: {host: 192.0.2.1, port: 830}
    re1: {host: 192.0.2.2, port: 830}
    credentials: {username: lab, password_env: TB_UNIT_PASSWORD}
"""

EMULATED = """\
routers:
  e1:
    platform: MX960
    emulated: true
    re0: {host: 127.0.0.1, port: 0}
    re1: {host: 127.0.0.1, port: 0}
    credentials: {username: lab, password: lab123}
    control: {username: re-control, password: ctl-secret}
"""


def write(tmp_path: Path, text: str, name: str = "tb.yaml") -> Path:
    """Return the path of a file holding ``text`` (dedented)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> tuple[str, ...]:
    """Return the problems of the TestbedError that loading ``path`` raises."""
    with pytest.raises(TestbedError) as info:
        tb.load_testbed(path)
    return info.value.problems


def problem_at(problems: tuple[str, ...], source: object, key_path: str) -> str:
    """Return the one problem line about ``key_path`` in ``source``."""
    matching = [p for p in problems if p.startswith(f"{source}: {key_path}: ")]
    assert len(matching) == 1, problems
    return matching[0]


def assert_problem(path: Path, key_path: str, expected: str, got: str) -> str:
    """Assert loading ``path`` reports file, key path, expectation and value; return the line."""
    line = problem_at(problems_of(path), path, key_path)
    assert f"expected {expected}" in line
    assert f"got {got}" in line
    return line


# --------------------------------------------------------------------------------- shipped files


@pytest.mark.parametrize("name", ["emulated.yaml", "emulated-fleet.yaml", "lab.example.yaml"])
def test_shipped_files_load_without_warnings(name: str) -> None:
    testbed = tb.load_testbed(Path(tb.default_testbed_path()).parent / name)
    assert testbed.routers
    assert testbed.lint_warnings() == ()


def test_default_testbed_is_one_emulated_mx480() -> None:
    testbed = tb.load_testbed(tb.default_testbed_path())
    r1 = testbed.router("r1")
    assert (testbed.name, list(testbed.routers)) == ("emulated", ["r1"])
    assert (r1.platform, r1.emulated, r1.allow_disruptive) == ("MX480", True, True)
    assert {e.port for e in r1.endpoints.values()} == {0}
    assert r1.re_names == ("re0", "re1")
    assert (r1.credentials.username, r1.credentials.password()) == ("lab", "lab123")
    assert r1.control is not None and r1.control.username == "re-control"
    assert r1.host_keys.policy is tb.HostKeyPolicy.IGNORE
    assert r1.emulator is not None and r1.emulator.time is tb.TimeMode.VIRTUAL


def test_fleet_covers_the_platforms_and_one_single_re_router() -> None:
    fleet = tb.load_testbed("emulated-fleet.yaml")
    platforms = {spec.platform for spec in fleet.routers.values()}
    assert {"MX480", "MX960", "MX240", "M320", "T640", "M160", "M20", "M10i", "M7i"} <= platforms
    single = [spec.name for spec in fleet.routers.values() if spec.re_names == ("re0",)]
    assert [fleet.routers[n].platform for n in single] == ["M7i"]
    assert all(spec.emulated and spec.control for spec in fleet.routers.values())


def test_lab_example_reads_passwords_from_the_environment() -> None:
    lab = tb.load_testbed("lab.example.yaml")
    assert all(not spec.emulated for spec in lab.routers.values())
    assert all(spec.credentials.password_env for spec in lab.routers.values())
    assert [s.allow_disruptive for s in lab.routers.values()].count(False) == 1
    assert all(s.host_keys.policy is tb.HostKeyPolicy.KNOWN_HOSTS for s in lab.routers.values())
    assert any(f.command for s in lab.routers.values() for f in s.faults.values())


def test_bare_name_falls_back_to_the_packaged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert tb.load_testbed("emulated-fleet.yaml").name == "emulated-fleet"
    assert tb.load_testbed("emulated-fleet").name == "emulated-fleet"


def test_a_file_in_the_working_directory_wins_over_the_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, LAB, name="emulated.yaml")
    monkeypatch.chdir(tmp_path)
    testbed = tb.load_testbed("emulated.yaml")
    assert (testbed.name, testbed.source) == ("unit", "emulated.yaml")


# --------------------------------------------------------------------------------- file and YAML


def test_missing_file_names_it_and_suggests_a_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TestbedError) as info:
        tb.load_testbed("emulated-flet.yaml")
    message = str(info.value)
    assert message.startswith("emulated-flet.yaml: expected an existing file")
    assert "got no such file (did you mean 'emulated-fleet.yaml'?)" in message


def test_missing_path_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "lab.yaml"
    with pytest.raises(TestbedError, match="got no such file") as info:
        tb.load_testbed(missing)
    assert str(info.value).startswith(f"{missing}: ")


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "routers:\n  r1: {re0: [1, 2}\n")
    with pytest.raises(TestbedError) as info:
        tb.load_testbed(path)
    message = str(info.value)
    assert message.startswith(f"{path}: expected valid YAML, got ")
    assert message.endswith("(line 2, column 18)")


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    text = LAB.replace(
        "    re1: {host: 192.0.2.2, port: 830}\n",
        "    re1: {host: 192.0.2.2, port: 830}\n    re1: {host: 192.0.2.3, port: 830}\n",
    )
    line = assert_problem(
        write(tmp_path, text), "routers.r1.re1", "each key once per mapping", "'re1' again"
    )
    assert line.endswith("(first at line 6) (line 7)")


def test_duplicate_keys_inside_flow_mappings_are_errors(tmp_path: Path) -> None:
    text = LAB.replace("{host: 192.0.2.1, port: 830}", "{host: 192.0.2.1, port: 830, port: 8}")
    assert_problem(write(tmp_path, text), "routers.r1.re0.port", "each key once", "'port' again")


@pytest.mark.parametrize("text", ["", "# nothing\n", "- r1\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    line = problem_at(problems_of(path), path, "(top level)")
    assert "expected a mapping with keys among 'testbed', 'defaults', 'routers'" in line


# --------------------------------------------------------------------------------- wrong values

BAD_VALUES = [
    # (replace this, with this, key path, expected, got)
    ("port: 830}", "port: abc}", "routers.r1.re0.port", "an integer 0..65535", "'abc'"),
    ("port: 830}", "port: 70000}", "routers.r1.re0.port", "an integer 0..65535", "70000"),
    ("port: 830}", "port: -1}", "routers.r1.re0.port", "an integer 0..65535", "-1"),
    ("port: 830}", "port: true}", "routers.r1.re0.port", "an integer 0..65535", "true"),
    ("port: 830}", "port: 0}", "routers.r1.re0.port", "a port 1..65535 on a lab router", "0"),
    ("host: 192.0.2.1,", "host: '',", "routers.r1.re0.host", "a host name or address", "''"),
    ("host: 192.0.2.1,", "host: a b,", "routers.r1.re0.host", "a host name or address", "'a b'"),
    ("platform: MX480", "platform: 480", "routers.r1.platform", "a platform name", "480"),
    (
        "platform: MX480",
        "platform: MX480\n    emulated: 1",
        "routers.r1.emulated",
        "true or false",
        "1",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    allow_disruptive: 'no'",
        "routers.r1.allow_disruptive",
        "true or false",
        "'no'",
    ),
    ("username: lab,", "username: 7,", "routers.r1.credentials.username", "a user name", "7"),
    (
        "password_env: TB_UNIT_PASSWORD",
        "password_env: 'not a name'",
        "routers.r1.credentials.password_env",
        "an environment variable name",
        "'not a name'",
    ),
    (
        "password_env: TB_UNIT_PASSWORD",
        "password: 123456",
        "routers.r1.credentials.password",
        "a password string (quote digits)",
        "123456",
    ),
    (
        "password_env: TB_UNIT_PASSWORD",
        "password_env: X, password: y",
        "routers.r1.credentials.password_env",
        "password or password_env, not both",
        "both",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    timeouts: {rpc: 0}",
        "routers.r1.timeouts.rpc",
        "a number of seconds > 0",
        "0",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    timeouts: {halt: .inf}",
        "routers.r1.timeouts.halt",
        "a number of seconds > 0",
        "inf",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    host_keys: {policy: accept-new}",
        "routers.r1.host_keys.policy",
        "one of 'ignore', 'known_hosts', 'accept_new'",
        "'accept-new' (did you mean 'accept_new'?)",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    re0: 192.0.2.9",
        "routers.r1.re0",
        "each key once per mapping",
        "'re0' again",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    console: {re0: {host: ts1}}",
        "routers.r1.console.re0.port",
        "an integer 0..65535",
        "nothing",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    console: {re2: {host: ts1, port: 7001}}",
        "routers.r1.console.re2",
        "one of 're0', 're1'",
        "'re2' (did you mean 're1'?)",
    ),
    (
        "platform: MX480",
        "platform: MX480\n    master_only: [192.0.2.9]",
        "routers.r1.master_only",
        "a mapping with keys among 'host', 'port'",
        "['192.0.2.9']",
    ),
]


@pytest.mark.parametrize(("old", "new", "key_path", "expected", "got"), BAD_VALUES)
def test_bad_values_name_file_key_path_expectation_and_value(
    tmp_path: Path, old: str, new: str, key_path: str, expected: str, got: str
) -> None:
    assert old in LAB
    assert_problem(write(tmp_path, LAB.replace(old, new, 1)), key_path, expected, got)


def test_the_brief_example_message_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path, LAB.replace("port: 830}", "port: abc}", 1))
    line = problem_at(problems_of(path), path, "routers.r1.re0.port")
    assert line == f"{path}: routers.r1.re0.port: expected an integer 0..65535, got 'abc' (line 5)"


def test_unknown_keys_are_errors_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, LAB.replace("platform: MX480", "platform: MX480\n    emulatd: true"))
    assert_problem(
        path,
        "routers.r1.emulatd",
        "one of 'platform', 'emulated'",
        "'emulatd' (did you mean 'emulated'?)",
    )


def test_unknown_keys_far_from_any_key_get_no_hint(tmp_path: Path) -> None:
    path = write(tmp_path, LAB.replace("{host: 192.0.2.1,", "{zzzz: 1, host: 192.0.2.1,"))
    line = assert_problem(path, "routers.r1.re0.zzzz", "one of 'host', 'port'", "'zzzz'")
    assert "did you mean" not in line


def test_unknown_top_level_and_testbed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "rooters: {}\n" + LAB.replace("{name: unit}", "{nme: unit}"))
    problems = problems_of(path)
    assert "did you mean 'routers'?" in problem_at(problems, path, "rooters")
    assert "did you mean 'name'?" in problem_at(problems, path, "testbed.nme")


def test_missing_required_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "routers:\n  r1: {}\n")
    problems = problems_of(path)
    assert "expected a platform name" in problem_at(problems, path, "routers.r1.platform")
    assert "got nothing" in problem_at(problems, path, "routers.r1.re0")
    assert "expected a mapping with a username" in problem_at(
        problems, path, "routers.r1.credentials"
    )


def test_routers_must_not_be_empty_nor_missing(tmp_path: Path) -> None:
    assert_problem(write(tmp_path, "routers: {}\n"), "routers", "at least one router", "{}")
    assert_problem(
        write(tmp_path, "testbed: {name: x}\n"),
        "routers",
        "a mapping of router names to routers",
        "nothing",
    )


def test_router_names_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, LAB.replace("  r1:", "  'r 1':"))
    assert_problem(path, "routers.r 1", "a router name of letters", "'r 1'")
    path = write(tmp_path, LAB.replace("  r1:", "  7:"))
    assert_problem(path, "routers.7", "a string key (quote it)", "7")


def test_every_problem_is_collected_into_one_error(tmp_path: Path) -> None:
    text = LAB.replace("port: 830}", "port: abc}", 1).replace("platform: MX480", "platform: 1")
    text = text.replace("username: lab", "usename: lab")
    with pytest.raises(TestbedError) as info:
        tb.load_testbed(write(tmp_path, text))
    assert len(info.value.problems) == 4  # port, platform, unknown usename, missing username
    assert str(info.value).startswith("4 problems in the testbed:\n")
    assert all(line in str(info.value) for line in info.value.problems)
    assert isinstance(info.value, ContractError)


def test_a_fixed_address_may_be_used_once(tmp_path: Path) -> None:
    path = write(tmp_path, LAB.replace("192.0.2.2", "192.0.2.1"))
    assert_problem(
        path,
        "routers.r1.re1",
        "an address no other endpoint uses (routers.r1.re0 has it)",
        "'192.0.2.1:830'",
    )


def test_port_zero_may_repeat_on_emulated_routers(tmp_path: Path) -> None:
    spec = tb.load_testbed(write(tmp_path, EMULATED)).router("e1")
    assert [e.port for e in spec.endpoints.values()] == [0, 0]


def test_lab_port_defaults_to_netconf_830_and_emulated_to_0(tmp_path: Path) -> None:
    lab = LAB.replace("{host: 192.0.2.1, port: 830}", "{host: 192.0.2.1}")
    assert tb.load_testbed(write(tmp_path, lab)).router("r1").endpoints["re0"].port == 830
    emu = EMULATED.replace("{host: 127.0.0.1, port: 0}", "{host: 127.0.0.1}")
    assert tb.load_testbed(write(tmp_path, emu)).router("e1").endpoints["re0"].port == 0


# --------------------------------------------------------------------------------- lab vs emulated


def test_lab_password_in_the_file_is_allowed_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, LAB.replace("password_env: TB_UNIT_PASSWORD", "password: secret"))
    warnings = tb.load_testbed(path).lint_warnings()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}: routers.r1.credentials.password: ")
    assert "password_env" in warnings[0]
    assert "secret" not in warnings[0]


def test_lab_host_keys_ignored_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, LAB + "    host_keys: {policy: ignore}\n")
    (warning,) = tb.load_testbed(path).lint_warnings()
    assert warning.startswith(f"{path}: routers.r1.host_keys.policy: ")


def test_emulated_password_in_the_file_is_no_warning(tmp_path: Path) -> None:
    assert tb.load_testbed(write(tmp_path, EMULATED)).lint_warnings() == ()


def test_role_dependent_defaults(tmp_path: Path) -> None:
    lab = tb.load_testbed(write(tmp_path, LAB)).router("r1")
    assert (lab.allow_disruptive, lab.host_keys.policy) == (False, tb.HostKeyPolicy.KNOWN_HOSTS)
    assert lab.host_keys.known_hosts == Path("~/.ssh/known_hosts").expanduser()
    assert (lab.control, lab.emulator) == (None, None)
    emu = tb.load_testbed(write(tmp_path, EMULATED)).router("e1")
    assert (emu.allow_disruptive, emu.host_keys) == (True, tb.HostKeys(tb.HostKeyPolicy.IGNORE))
    assert emu.emulator == tb.EmulatorSettings(hostname="e1")


def test_emulated_router_needs_a_control_user(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        EMULATED.replace("    control: {username: re-control, password: ctl-secret}\n", ""),
    )
    assert_problem(path, "routers.e1.control", "a mapping with a username", "nothing")


def test_lab_router_refuses_control_and_emulator_sections(tmp_path: Path) -> None:
    path = write(tmp_path, LAB + "    control: {username: c}\n    emulator: {time: real}\n")
    problems = problems_of(path)
    assert "no control user on a lab router" in problem_at(problems, path, "routers.r1.control")
    assert "no emulator section" in problem_at(problems, path, "routers.r1.emulator")


def test_emulator_settings(tmp_path: Path) -> None:
    text = EMULATED + textwrap.indent(
        textwrap.dedent("""\
        emulator:
          time: real
          versions: {re0: 15.1F5.15, re1: 15.1F6.9}
          re_models: {re0: RE-S-1800x4, re1: RE-S-1800x4}
          serials: {re0: "9009001", re1: "9009002"}
          hostname: baku
          config: |
            set chassis redundancy graceful-switchover
          boot_time: 30
        """),
        "    ",
    )
    settings = tb.load_testbed(write(tmp_path, text)).router("e1").emulator
    assert settings is not None
    assert (settings.time, settings.hostname, settings.boot_time) == (tb.TimeMode.REAL, "baku", 30)
    assert settings.versions == {"re0": "15.1F5.15", "re1": "15.1F6.9"}
    assert settings.serials["re1"] == "9009002"
    assert settings.config == "set chassis redundancy graceful-switchover\n"


@pytest.mark.parametrize(
    ("emulator", "key_path", "expected", "got"),
    [
        (
            "{versions: {re0: 15.1}}",
            "routers.e1.emulator.versions.re0",
            "a Junos version string",
            "15.1",
        ),
        ("{time: virtul}", "routers.e1.emulator.time", "one of 'virtual', 'real'", "'virtul'"),
        ("{boot_time: -5}", "routers.e1.emulator.boot_time", "a number of seconds > 0", "-5"),
        ("{hostname: 'a b'}", "routers.e1.emulator.hostname", "a host name", "'a b'"),
        ("{config: [1]}", "routers.e1.emulator.config", "a string", "[1]"),
        ("{sn: {}}", "routers.e1.emulator.sn", "one of 'time'", "'sn'"),
    ],
)
def test_bad_emulator_settings(
    tmp_path: Path, emulator: str, key_path: str, expected: str, got: str
) -> None:
    path = write(tmp_path, EMULATED + f"    emulator: {emulator}\n")
    assert_problem(path, key_path, expected, got)


def test_per_re_keys_must_name_an_re_the_router_has(tmp_path: Path) -> None:
    text = EMULATED.replace("    re1: {host: 127.0.0.1, port: 0}\n", "")
    path = write(tmp_path, text + "    emulator: {versions: {re1: 15.1F5.15}}\n")
    assert_problem(
        path, "routers.e1.emulator.versions.re1", "an RE this router has ('re0')", "'re1'"
    )


def test_re1_is_optional_whatever_the_platform(tmp_path: Path) -> None:
    # Whether MX960 is dual-RE is the emulator catalogue's business, not the loader's.
    text = EMULATED.replace("    re1: {host: 127.0.0.1, port: 0}\n", "")
    assert tb.load_testbed(write(tmp_path, text)).router("e1").re_names == ("re0",)


# --------------------------------------------------------------------------------- defaults


def test_defaults_merge_under_every_router(tmp_path: Path) -> None:
    text = """\
    defaults:
      platform: M320
      credentials: {username: ops, password_env: TB_UNIT_PASSWORD, allow_agent: true}
      timeouts: {connect: 5, rpc: 45}
      faults: {halt_re: {rpc: request-halt}, power_on_re: {command: "pdu-on {router} {re}"}}
    routers:
      a:
        re0: {host: 192.0.2.1}
        timeouts: {rpc: 90}
      b:
        platform: T640
        re0: {host: 192.0.2.2}
        credentials: {password: in-file}
        faults: {power_on_re: {command: "other {re}"}}
    """
    testbed = tb.load_testbed(write(tmp_path, text))
    a, b = testbed.router("a"), testbed.router("b")
    assert (a.platform, b.platform) == ("M320", "T640")
    assert a.timeouts == tb.Timeouts(connect=5, rpc=90)
    assert b.timeouts == tb.Timeouts(connect=5, rpc=45)
    assert (a.credentials.username, a.credentials.password_env) == ("ops", "TB_UNIT_PASSWORD")
    # b names a password source, so it replaces the default's password_env, keeps the rest.
    assert (b.credentials.username, b.credentials.password_env) == ("ops", None)
    assert (b.credentials.password(), b.credentials.allow_agent) == ("in-file", True)
    assert a.faults["power_on_re"].command == "pdu-on {router} {re}"
    assert b.faults["power_on_re"].command == "other {re}"
    assert b.faults["halt_re"] == tb.FaultAction(rpc="request-halt")


def test_emulator_only_defaults_skip_lab_routers(tmp_path: Path) -> None:
    text = """\
    defaults:
      credentials: {username: lab, password: lab123}
      control: {username: re-control, password: x}
      emulator: {time: real}
    routers:
      emu: {platform: MX480, emulated: true, re0: {host: 127.0.0.1}}
      lab: {platform: MX480, re0: {host: 192.0.2.1}, credentials: {password_env: P}}
    """
    testbed = tb.load_testbed(write(tmp_path, text))
    emu, lab = testbed.router("emu"), testbed.router("lab")
    assert emu.control is not None and emu.emulator is not None
    assert emu.emulator.time is tb.TimeMode.REAL
    assert (lab.control, lab.emulator) == (None, None)


def test_a_bad_default_is_reported_once_at_its_own_path(tmp_path: Path) -> None:
    text = "defaults:\n  timeouts: {rpc: fast}\n" + LAB.replace("testbed: {name: unit}\n", "")
    text += "  r2: {platform: MX480, re0: {host: 192.0.2.3}, credentials: {username: x}}\n"
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert problems == (
        f"{path}: defaults.timeouts.rpc: expected a number of seconds > 0, got 'fast' (line 2)",
    )


def test_defaults_refuse_per_router_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "defaults: {re0: {host: h}}\n" + LAB)
    assert_problem(path, "defaults.re0", "one of 'platform'", "'re0'")


# --------------------------------------------------------------------------------- credentials


def test_password_env_is_resolved_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TB_UNIT_PASSWORD", raising=False)
    credentials = tb.load_testbed(write(tmp_path, LAB)).router("r1").credentials
    monkeypatch.setenv("TB_UNIT_PASSWORD", "from-env")
    assert credentials.password() == "from-env"


def test_unset_password_env_names_the_variable_and_the_router(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TB_UNIT_PASSWORD", raising=False)
    path = write(tmp_path, LAB)
    credentials = tb.load_testbed(path).router("r1").credentials
    with pytest.raises(TestbedError) as info:
        credentials.password()
    message = str(info.value)
    assert message.startswith(f"{path}: routers.r1.credentials.password_env: ")
    assert "TB_UNIT_PASSWORD" in message and "router 'r1'" in message


def test_no_password_source_means_key_or_agent_only(tmp_path: Path) -> None:
    text = LAB.replace("password_env: TB_UNIT_PASSWORD", "key_file: ~/.ssh/id_lab")
    credentials = tb.load_testbed(write(tmp_path, text)).router("r1").credentials
    assert credentials.password() is None
    assert credentials.key_file == Path("~/.ssh/id_lab").expanduser()


def test_passwords_are_redacted_everywhere(tmp_path: Path) -> None:
    testbed = tb.load_testbed(write(tmp_path, EMULATED))
    spec = testbed.router("e1")
    for text in (repr(spec.credentials), repr(spec.control), repr(spec), repr(testbed)):
        assert "lab123" not in text and "ctl-secret" not in text
    assert "password='<redacted>'" in repr(spec.credentials)
    assert spec.control is not None and spec.control.password() == "ctl-secret"


# --------------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("fault", "key_path", "expected", "got"),
    [
        (
            "{rpc: request-halt, command: x}",
            "routers.r1.faults.f",
            "exactly one of 'rpc'",
            "{'rpc': 'request-halt', 'command': 'x'}",
        ),
        ("{}", "routers.r1.faults.f", "exactly one of 'rpc', 'command'", "{}"),
        (
            "{command: 'pdu {rooter}'}",
            "routers.r1.faults.f.command",
            "placeholders among",
            "{rooter}",
        ),
        (
            "{command: 'pdu {router'}",
            "routers.r1.faults.f.command",
            "a command template",
            "'pdu {router'",
        ),
        ("{rpc: 'request halt'}", "routers.r1.faults.f.rpc", "an RPC name", "'request halt'"),
        (
            "{command: x, args: {a: 1}}",
            "routers.r1.faults.f.args",
            "args only with rpc",
            "{'a': 1}",
        ),
        (
            "{rpc: r, args: {a: [1]}}",
            "routers.r1.faults.f.args.a",
            "a string, an integer or true",
            "[1]",
        ),
        (
            "{rpc: r, rcp: x}",
            "routers.r1.faults.f.rcp",
            "one of 'rpc', 'command', 'args'",
            "'rcp' (did you mean 'rpc'?)",
        ),
    ],
)
def test_bad_faults(tmp_path: Path, fault: str, key_path: str, expected: str, got: str) -> None:
    path = write(tmp_path, LAB + f"    faults:\n      f: {fault}\n")
    assert_problem(path, key_path, expected, got)


def test_fault_actions(tmp_path: Path) -> None:
    text = LAB + textwrap.indent(
        textwrap.dedent("""\
        faults:
          halt_re: {rpc: request-halt, args: {both-routing-engines: true}}
          power_off_re: {command: "pdu-off.sh {router} {re} --host {host} {{literal}}"}
        """),
        "    ",
    )
    faults = tb.load_testbed(write(tmp_path, text)).router("r1").faults
    assert faults["halt_re"] == tb.FaultAction(
        rpc="request-halt", args={"both-routing-engines": True}
    )
    line = faults["power_off_re"].command_line("r1", "re0", "host; rm -rf /")
    assert line == "pdu-off.sh r1 re0 --host 'host; rm -rf /' {literal}"
    with pytest.raises(TestbedError, match="expected a command fault"):
        faults["halt_re"].command_line("r1", "re0", "h")


def test_fault_action_needs_exactly_one_way() -> None:
    with pytest.raises(TestbedError, match="exactly one of rpc, command"):
        tb.FaultAction()
    with pytest.raises(TestbedError, match="exactly one of rpc, command"):
        tb.FaultAction(rpc="request-halt", command="x")


# --------------------------------------------------------------------------------- the Testbed


def test_unknown_router_lists_the_known_names(tmp_path: Path) -> None:
    path = write(tmp_path, LAB)
    with pytest.raises(TestbedError) as info:
        tb.load_testbed(path).router("r-1")
    message = str(info.value)
    assert message == f"{path}: routers: expected one of 'r1', got 'r-1' (did you mean 'r1'?)"


def test_routers_keep_file_order(tmp_path: Path) -> None:
    text = "defaults: {credentials: {username: u}}\nrouters:\n" + "".join(
        f"  {name}: {{platform: M20, re0: {{host: 192.0.2.{i}}}}}\n"
        for i, name in enumerate(["zeta", "alpha", "mid"], start=1)
    )
    assert list(tb.load_testbed(write(tmp_path, text)).routers) == ["zeta", "alpha", "mid"]


def test_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    text = LAB.replace("testbed: {name: unit}\n", "")
    assert tb.load_testbed(write(tmp_path, text, name="bench-7.yaml")).name == "bench-7"


def test_with_endpoints_fills_in_real_ports(tmp_path: Path) -> None:
    testbed = tb.load_testbed(write(tmp_path, EMULATED))
    endpoints = {"re1": tb.Endpoint("127.0.0.1", 40002), "re0": tb.Endpoint("127.0.0.1", 40001)}
    master = tb.Endpoint("127.0.0.1", 40000)
    updated = tb.with_endpoints(testbed, "e1", endpoints, master)
    spec = updated.router("e1")
    assert [str(e) for e in spec.endpoints.values()] == ["127.0.0.1:40001", "127.0.0.1:40002"]
    assert spec.master_only == master
    assert spec.credentials == testbed.router("e1").credentials
    assert testbed.router("e1").endpoints["re0"].port == 0  # the original is unchanged


def test_with_endpoints_needs_exactly_the_routers_res(tmp_path: Path) -> None:
    testbed = tb.load_testbed(write(tmp_path, EMULATED))
    with pytest.raises(TestbedError, match="expected endpoints for re0, re1, got re0"):
        tb.with_endpoints(testbed, "e1", {"re0": tb.Endpoint("127.0.0.1", 1)}, None)
    with pytest.raises(TestbedError, match="got 'nope'"):
        tb.with_endpoints(testbed, "nope", {}, None)


def test_parse_testbed_takes_loaded_data() -> None:
    data = {"routers": {"r1": {"platform": "M10i", "re0": {"host": "h", "port": "x"}}}}
    with pytest.raises(TestbedError) as info:
        tb.parse_testbed(data, "inline")
    assert (
        "inline: routers.r1.re0.port: expected an integer 0..65535, got 'x'" in info.value.problems
    )
    data["routers"]["r1"] = {
        "platform": "M10i",
        "re0": {"host": "h"},
        "credentials": {"username": "u"},
    }
    testbed = tb.parse_testbed(data, "inline")
    assert (testbed.name, testbed.path, testbed.source) == ("inline", None, "inline")


def test_testbeds_pickle_for_xdist_workers() -> None:
    testbed = tb.load_testbed(tb.default_testbed_path())
    assert pickle.loads(pickle.dumps(testbed)) == testbed


def test_ipv6_endpoint_shows_brackets() -> None:
    assert str(tb.Endpoint("2001:db8::1", 830)) == "[2001:db8::1]:830"
