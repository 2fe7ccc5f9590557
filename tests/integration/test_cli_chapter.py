"""The chapter's CLI transcripts, typed into a paramiko shell (docs/emulator-model.md section
13): the mastership commands' texts with the prompt after the resolution, the login to the
other RE of the chapter's era, the groups samples, keepalive failover and the halt."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from emulator.model.router import RouterParams
from tests.integration.test_cli_paramiko import PROMPT, Shell
from tests.integration.test_emulator_lab import Lab, make_lab

GROUPS = ("delete system host-name\n"
          "set groups re0 system host-name foo-re0\n"
          "set groups re1 system host-name foo-re1\n"
          "set groups re0 interfaces fxp0 unit 0 family inet address 10.0.0.1/24\n"
          "set groups re1 interfaces fxp0 unit 0 family inet address 10.0.0.2/24\n"
          "set apply-groups [ re0 re1 ]")
PFE = "Traffic will be interrupted while the PFE is re-initialized"


@pytest.fixture
def served() -> Iterator[Callable[..., Lab]]:
    labs: list[Lab] = []

    def build(**params: object) -> Lab:
        params.setdefault("boot_time", 180.0)
        built = make_lab(RouterParams(name="r1", **params))  # type: ignore[arg-type]
        built.advance(300)  # past the hold-down after boot
        labs.append(built)
        return built

    yield build
    for built in labs:
        built.server.stop()


def shell(lab: Lab, re_name: str) -> Shell:
    return Shell(*lab.endpoints[re_name])


def confirmed(sh: Shell, lab: Lab, resolution: float) -> str:
    """Answer yes; return what is printed until the prompt, which comes only once the
    mastership is resolved (the router's ``resolution`` seconds)."""
    sh.chan.send("yes\n")
    head = sh.until(re.compile(r"Resolving mastership\.\.\.\n$"))
    assert not PROMPT.search(head)
    lab.advance(resolution)
    return head + sh.until(PROMPT)


def test_acquire_on_the_backup_prints_the_chapters_lines(served: Callable[..., Lab]) -> None:
    lab = served()
    sh = shell(lab, "re1")
    assert sh.run("request chassis routing-engine master acquire") == (
        f"warning: {PFE}\nAttempt to become the master routing engine ? [yes,no] (no) ")
    assert confirmed(sh, lab, 4) == (
        "yes\n\nResolving mastership...\nComplete. The local routing engine becomes the "
        "master.\n\nlab@r1> ")
    assert lab.states() == {"re0": "backup", "re1": "master"}


def test_release_on_the_master_prints_the_chapters_lines(served: Callable[..., Lab]) -> None:
    lab = served()
    sh = shell(lab, "re0")
    assert sh.run("request chassis routing-engine master release") == (
        f"\n{PFE}\nRequest the other routing engine become master ? [yes,no] (no) ")
    assert confirmed(sh, lab, 4).endswith(
        "Resolving mastership...\nComplete. The other routing engine becomes the master.\n\n"
        "lab@r1> ")


def test_switch_without_gres_from_the_backup(served: Callable[..., Lab]) -> None:
    lab = served()
    sh = shell(lab, "re1")
    assert sh.run("request chassis routing-engine master switch") == (
        f"warning: {PFE}\nToggle mastership between routing engines ? [yes,no] (no) ")
    assert confirmed(sh, lab, 4).endswith(
        "Complete. The local routing engine becomes the master.\n\nlab@r1> ")


def test_login_to_the_backup_of_the_chapters_era_asks_the_password(
        served: Callable[..., Lab]) -> None:
    """The chapter's sample: ``Password: #####`` (nothing echoed), then ``{backup}`` and the
    other RE's ``-re`` host name; with RE1 master, RE0's prompt is ``{backup}``."""
    lab = served(platform="M320", config="set chassis redundancy graceful-switchover\n"
                                         + GROUPS)
    sh = shell(lab, "re0")
    assert sh.greeting.endswith("{master}\nlab@foo-re0> ")
    sh.chan.send("request routing-engine login other-routing-engine\n")
    sh.until(re.compile(r"Password:$"))
    sh.chan.send("lab123\n")
    assert sh.until(PROMPT) == "\n{backup}\nlab@foo-re1> "
    assert sh.run("exit") == "\nrlogin: connection closed\n\n{master}\nlab@foo-re0> "
    sh.chan.send("request chassis routing-engine master switch\n")
    sh.until(re.compile(r"\(no\) $"))
    assert confirmed(sh, lab, 3).endswith("\n{backup}\nlab@foo-re0> ")
    sh.chan.send("request routing-engine login other-routing-engine\n")
    sh.until(re.compile(r"Password:$"))
    sh.chan.send("wrong\n")
    assert sh.until(PROMPT) == "\nLogin incorrect\n{backup}\nlab@foo-re0> "


def test_groups_samples(served: Callable[..., Lab]) -> None:
    """``[edit groups] show`` prints the chapter's re0/re1 sample; ``show apply-groups`` its
    one line; each RE's prompt carries its group's host name."""
    lab = served(config=GROUPS)
    sh = shell(lab, "re1")
    assert sh.greeting.endswith("lab@foo-re1> ")
    sh.run("configure")
    assert sh.run("edit groups") == "\n[edit groups]\nlab@foo-re1# "
    shown = sh.run("show")
    assert shown.startswith("re0 {\n    system {\n        host-name foo-re0;\n    }\n"
                            "    interfaces {\n        fxp0 {\n            unit 0 {\n"
                            "                family inet {\n"
                            "                    address 10.0.0.1/24;\n")
    assert "re1 {\n    system {\n        host-name foo-re1;" in shown
    sh.run("top")
    assert sh.run("show apply-groups").startswith("apply-groups [ re0 re1 ];\n")


def test_keepalive_failover_statements_commit(served: Callable[..., Lab]) -> None:
    lab = served()
    sh = shell(lab, "re1")
    sh.run("configure")
    assert sh.run("set chassis redundancy failover on-loss-of-keepalives") == (
        "\n[edit]\nlab@r1# ")
    sh.run("set chassis redundancy keepalive-time 300")
    assert sh.run("commit") == "commit complete\n\n[edit]\nlab@r1# "


def test_halt_prints_the_chapters_sample(served: Callable[..., Lab]) -> None:
    lab = served()
    sh = shell(lab, "re1")
    assert sh.run("request system halt") == (
        "warning: This command will not halt the other routing-engine.\n"
        "If planning to switch off power, use the both-routing-engines option.\n"
        "Halt the system ? [yes,no] (no) ")
    out = sh.closed_after("yes")
    assert re.search(r"\n\*\*\* FINAL System shutdown message from lab@r1 \*\*\*\n"
                     r"System going down IMMEDIATELY\n\nshutdown: \[pid \d+\]\nShutdown NOW!",
                     out)
    assert lab.states() == {"re0": "master", "re1": "halted"}
