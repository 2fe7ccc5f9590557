"""One fault interface: the lab implementation (testbed-declared command or RPC) with a fake
spec and harmless commands, and the emulator implementation with a fake control callable."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from harness.errors import FaultError, FaultUnavailableError, RpcFailedError
from harness.faults import EmulatorFaults, LabFaults
from re_contract.testbed import FaultAction, RouterSpec, default_testbed_path, load_testbed


def _spec(**faults: FaultAction) -> RouterSpec:
    base = load_testbed(default_testbed_path()).router("r1")
    return replace(base, emulated=False, faults=faults)


def _no_rpc(re_name: str, el: etree._Element) -> object:
    raise AssertionError("no RPC expected")


def test_lab_command_fault_runs_the_command() -> None:
    after: list[str] = []
    faults = LabFaults(_spec(sever_link=FaultAction(command="true {router} {re}")), _no_rpc,
                       timeout=5, after=after.append)
    faults.sever_link()
    assert after == ["sever_link"]


def test_lab_command_fault_that_fails_raises() -> None:
    faults = LabFaults(_spec(crash_re=FaultAction(command="false {host}")), _no_rpc, timeout=5)
    with pytest.raises(FaultError, match="exited 1"):
        faults.crash_re("re1")


def test_lab_missing_command_raises() -> None:
    faults = LabFaults(_spec(pull_re=FaultAction(command="/nonexistent/pdu-off {re}")),
                       _no_rpc, timeout=5)
    with pytest.raises(FaultError, match="failed"):
        faults.pull_re("re0")


def test_lab_undeclared_fault_says_how_to_declare_it() -> None:
    faults = LabFaults(_spec(), _no_rpc)
    assert not faults.available("power_on_re")
    with pytest.raises(FaultUnavailableError, match="faults: {power_on_re"):
        faults.power_on_re("re1")


def test_lab_rpc_fault_sends_the_declared_rpc() -> None:
    sent: list[tuple[str, str]] = []

    def rpc(re_name: str, el: etree._Element) -> object:
        sent.append((re_name, etree.tostring(el).decode()))
        return None

    action = FaultAction(rpc="request-halt", args={"both-routing-engines": True})
    LabFaults(_spec(halt_re=action), rpc).halt_re("re1")
    assert sent == [("re1", "<request-halt><both-routing-engines/></request-halt>")]


def test_emulator_faults_send_control_rpcs() -> None:
    sent: list[tuple[str, dict[str, object]]] = []

    def control(tag: str, **children: object) -> etree._Element:
        sent.append((tag, children))
        return etree.Element("ok")

    faults = EmulatorFaults(control)
    faults.kill_process("re0", "chassisd")
    faults.restore_link()
    assert sent == [("kill-process", {"re": "re0", "name": "chassisd"}), ("restore-link", {})]
    assert faults.available("drop_sessions") and not faults.available("flood")


def test_emulator_refusal_is_a_fault_error() -> None:
    def control(tag: str, **children: object) -> etree._Element:
        raise RpcFailedError("re1 is not halted", [("error", "re1 is not halted")])

    with pytest.raises(FaultError, match="not halted"):
        EmulatorFaults(control).power_on_re("re1")
