"""The one command table: every Junos RPC is a row, handlers never import the table, rows
declare their reply shapes (emulator/commands/table.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lxml import etree

from emulator.commands import chassis_cmds, config_rpcs, files, mastership, pyez
from emulator.commands.context import CommandContext, Request
from emulator.commands.dispatch import Dispatcher
from emulator.commands.operational import TABLE
from emulator.commands.table import WarningForm
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams

#: Every configuration RPC the emulator answers (NOTES.md 3.6, 3.13; RFC 6241).
CONFIGURATION_RPCS = [
    "lock", "lock-configuration", "unlock", "unlock-configuration", "open-configuration",
    "close-configuration", "load-configuration", "get-configuration", "get-config", "get",
    "edit-config", "discard-changes", "commit-configuration", "commit", "validate",
]
HANDLER_MODULES = [chassis_cmds, config_rpcs, files, mastership, pyez]


def _model() -> RouterModel:
    return RouterModel(RouterParams(name="r1", platform="MX480", hostname="host"),
                       VirtualClock())


@pytest.mark.parametrize("rpc", CONFIGURATION_RPCS)
def test_configuration_rpcs_are_rows_that_read_their_own_format(rpc: str) -> None:
    row = TABLE.by_rpc(rpc)
    assert row is not None and row.own_format


def test_commit_warnings_are_rpc_errors_and_operational_ones_xnm() -> None:
    assert TABLE.by_rpc("commit-configuration").warning_form is WarningForm.RPC_ERROR
    assert TABLE.by_rpc("request-halt").warning_form is WarningForm.XNM


def test_show_configuration_is_the_get_configuration_row() -> None:
    cmd, req = TABLE.parse_cli("show configuration")
    assert cmd is TABLE.by_rpc("get-configuration")
    assert req.attrs == {"database": "committed"}  # the implied attribute
    shape = cmd.text_element("x")
    assert etree.tostring(shape) == (b"<configuration-information><configuration-output>x"
                                     b"</configuration-output></configuration-information>")


def test_rows_without_words_are_not_cli_commands() -> None:
    assert all(row.words for row in TABLE.commands)
    assert {row.rpc for row in TABLE.rows if not row.words} <= set(CONFIGURATION_RPCS)


@pytest.mark.parametrize("module", HANDLER_MODULES, ids=lambda m: m.__name__)
def test_handlers_never_import_the_table(module: object) -> None:
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text())
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"emulator.commands.table", "emulator.commands.operational"}


def test_request_is_a_mapping_of_the_arguments_with_the_elements_attributes() -> None:
    el = etree.fromstring('<get-configuration database="committed"><configuration>'
                          "<system/></configuration></get-configuration>")
    req = TABLE.request(el)
    assert dict(req) == {"configuration": ""} and req.attrs == {"database": "committed"}
    assert req.child("configuration") is not None and req.text("missing") is None


def test_context_takes_the_session_id_of_older_callers() -> None:
    ctx = CommandContext(_model(), 0, "lab", extra={"session_id": 7})
    assert ctx.session_id == 7 and ctx.on(1).session_id == 7


def test_shell_cli_runs_through_the_table() -> None:
    model = _model()
    ctx = CommandContext(model, 0, "lab")
    row = TABLE.by_rpc("request-shell-execute")
    result = row.handler(ctx, Request({"command": "cli show version"}))
    assert "Hostname: host" in result.text


def test_get_configuration_text_over_the_rpc_and_over_command() -> None:
    model = _model()
    ctx = CommandContext(model, 0, "lab")
    rpc = Dispatcher(model).dispatch(
        ctx, etree.fromstring('<get-configuration format="text"/>'), control=False)
    assert [el.tag for el in rpc.body] == ["configuration-text"]
    command = etree.fromstring('<command format="text">show configuration</command>')
    answer = Dispatcher(model).dispatch(ctx, command, control=False)
    assert [el.tag for el in answer.body] == ["configuration-information"]
