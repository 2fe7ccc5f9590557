"""The command table's rows: every command and RPC the emulator knows, defined once.

Each row gives the CLI words, the RPC element (NOTES.md section 1), the arguments, the handler,
how its replies are shaped and, for the interactive CLI, the confirmation prompt and the lines
printed before it.  The configuration RPCs (NOTES.md 3.6, RFC 6241) are rows without CLI words.
A new command is one row here, one handler, one view/renderer.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from emulator.commands import alarms_pics as ap
from emulator.commands import chassis_cmds as cc
from emulator.commands import config_rpcs as cr
from emulator.commands import environment as env
from emulator.commands import files, pyez, routes
from emulator.commands import mastership as ms
from emulator.commands import system_cmds as sc
from emulator.commands.context import ArgValue, CommandContext, Result
from emulator.commands.table import (
    Arg,
    ArgKind,
    Command,
    CommandSyntaxError,
    Handler,
    Preamble,
    Table,
    WarningForm,
)
from emulator.model.chassis import SwitchMethod
from emulator.model.config_errors import ConfigSyntaxError

__all__ = ["COMMANDS", "CONFIGURATION_RPCS", "TABLE"]

F, V, P, PATH = ArgKind.FLAG, ArgKind.VALUE, ArgKind.POSITIONAL, ArgKind.PATH


def _configuration_filter(words: list[str]) -> etree._Element:
    """Return the ``<configuration>`` filter ``show configuration <words>`` stands for.
    Raises CommandSyntaxError naming the first word that is no statement there."""
    try:
        return cr.path_filter(words)
    except ConfigSyntaxError as exc:
        raise CommandSyntaxError(
            f"syntax error, expecting <command>: {exc.bad_element}") from exc


def _pre(method: SwitchMethod) -> Preamble:
    def preamble(ctx: CommandContext, args: Mapping[str, ArgValue]) -> list[str]:
        return ms.switch_preamble(method, ctx)

    return preamble


SCOPE = (Arg("both-routing-engines", F, "Act on both Routing Engines"),
         Arg("other-routing-engine", F, "Act on the other Routing Engine"))

#: ``at``/``in``/``message`` of ``request system halt|reboot`` (Junos's help texts).
WHEN = (Arg("in", V, "Number of minutes to delay before the operation"),
        Arg("at", V, "Time at which to perform the operation"),
        Arg("message", V, "Message to display to all users"))

NO_CONFIRM = Arg("no-confirm", F, "Don't ask for confirmation")
CHECK = Arg("check", F, "Check status of graceful switchover")

COMMANDS = [
    Command(("show", "chassis", "routing-engine"), "get-route-engine-information",
            cc.route_engine_information, (Arg("slot", P, "Slot number"),),
            help="Show Routing Engine status",
            read_only=True),
    Command(("show", "chassis", "hardware"), "get-chassis-inventory", cc.chassis_inventory,
            (Arg("detail", F, "Include RAM and disk information in output"),
             Arg("extensive", F, "Display ID EEPROM information"),
             Arg("models", F, "Display serial number and model number for orderable FRUs"),
             Arg("clei-models", F, "Display CLEI barcode and model number for orderable FRUs")),
            help="Show installed hardware components",
            read_only=True),
    Command(("show", "chassis", "craft-interface"), "get-craft-information",
            cc.craft_information, help="Show craft interface status",
            read_only=True),
    Command(("show", "chassis", "fpc"), "get-fpc-information", ms.fpc_information,
            help="Show Flexible PIC Concentrator status",
            read_only=True),
    Command(("show", "chassis", "fpc", "pic-status"), "get-pic-information",
            ap.pic_information, (Arg("slot", P, "FPC slot number"),),
            help="Show Physical Interface Cards installed in FPC", read_only=True),
    Command(("show", "chassis", "alarms"), "get-alarm-information", ap.alarm_information,
            help="Show alarm status", read_only=True),
    Command(("show", "system", "alarms"), "get-system-alarm-information",
            ap.system_alarm_information, help="Show system alarm status", read_only=True),
    Command(("show", "version"), "get-software-information", cc.software_information,
            (Arg("invoke-on", V, "Invoke on Routing Engines",
                 ("all-routing-engines", "other-routing-engine")),
             Arg("brief", F, "Display brief output"),
             Arg("detail", F, "Display detailed output")),
            help="Show software process revision levels",
            read_only=True),
    Command(("show", "system", "switchover"), "get-switchover-information",
            cc.switchover_information, help="Show graceful switchover status (backup RE)",
            read_only=True),
    Command(("show", "task", "replication"), "get-routing-task-replication-state",
            cc.task_replication, help="Show stateful replication status",
            read_only=True),
    Command(("show", "route"), "get-route-information", routes.route_information,
            help="Show routing table information", read_only=True),
    Command(("show", "log"), "get-log", ms.get_log, (Arg("filename", P, "Log file name"),),
            help="Show contents of a log file",
            read_only=True),
    Command(("clear", "log"), "clear-log", ms.clear_log,
            (Arg("filename", P, "Name of log file"),), help="Clear contents of log file"),
    Command(("request", "chassis", "routing-engine", "master", "acquire"),
            "request-chassis-routing-engine-acquire", ms.switchover(SwitchMethod.ACQUIRE),
            (NO_CONFIRM, CHECK, Arg("force", F, "Force mastership acquisition")),
            help="Attempt to become master Routing Engine",
            confirm="Attempt to become the master routing engine ? [yes,no] (no) ",
            preamble=_pre(SwitchMethod.ACQUIRE)),
    Command(("request", "chassis", "routing-engine", "master", "release"),
            "request-chassis-routing-engine-release", ms.switchover(SwitchMethod.RELEASE),
            (NO_CONFIRM, CHECK),
            help="Request that other Routing Engine become master",
            confirm="Request the other routing engine become master ? [yes,no] (no) ",
            preamble=_pre(SwitchMethod.RELEASE)),
    Command(("request", "chassis", "routing-engine", "master", "switch"),
            "request-chassis-routing-engine-switch", ms.switchover(SwitchMethod.SWITCH),
            (NO_CONFIRM, CHECK),
            help="Toggle mastership between Routing Engines",
            confirm="Toggle mastership between routing engines ? [yes,no] (no) ",
            preamble=_pre(SwitchMethod.SWITCH)),
    Command(("request", "system", "halt"), "request-halt", ms.request_halt,
            (*SCOPE, *WHEN),
            help="Halt the system", confirm="Halt the system ? [yes,no] (no) ",
            preamble=ms.halt_preamble),
    Command(("request", "system", "reboot"), "request-reboot", ms.request_reboot,
            (*SCOPE, *WHEN),
            help="Reboot the system", confirm="Reboot the system ? [yes,no] (no) "),
    Command(("request", "system", "power-on"), "request-power-on", ms.power_on,
            (Arg("other-routing-engine", F, "Power on the other Routing Engine"),),
            help="Power on the other Routing Engine"),
    Command(("file", "list"), "file-list", files.file_list,
            (Arg("path", P, "Path"), Arg("detail", F, "Display detailed output"),
             Arg("recursive", F, "Display all files recursively")),
            help="List file information",
            read_only=True),
    Command(("file", "show"), "file-show", files.file_show, (Arg("filename", P, "File"),),
            help="Show file contents",
            read_only=True),
    Command(("file", "copy"), "file-copy", files.file_copy,
            (Arg("source", P, "Source file"), Arg("destination", P, "Destination")),
            help="Copy files (local or remote)"),
    Command(("show", "configuration"), "get-configuration", cr.get_configuration,
            (Arg("configuration", PATH, "Configuration hierarchy to show",
                 build=_configuration_filter),),
            help="Show current configuration", implied=(("database", "committed"),),
            text_shape=("configuration-information", "configuration-output"),
            own_format=True,
            read_only=True),
    Command(("show", "chassis", "environment"), "get-environment-information",
            env.environment_information, help="Show component status and temperature",
            read_only=True),
    Command(("show", "chassis", "power"), "get-power-usage-information-detail",
            env.power_usage_detail, (Arg("detail", F, "Display detailed output"),),
            help="Show power limits and usage details",
            read_only=True),
    Command(("show", "chassis", "temperature-thresholds"),
            "get-temperature-threshold-information", env.temperature_thresholds,
            help="Show chassis temperature threshold settings",
            read_only=True),
    # What NAPALM, PyEZ utilities and Ansible facts read (issue 13).
    Command(("show", "system", "uptime"), "get-system-uptime-information",
            sc.system_uptime_information, help="Show time since system and processes started",
            read_only=True),
    Command(("show", "system", "memory"), "get-system-memory-information",
            sc.system_memory_information, help="Show system memory usage",
            read_only=True),
    Command(("show", "system", "storage"), "get-system-storage", sc.system_storage,
            help="Show local storage data",
            read_only=True),
    Command(("show", "system", "directory-usage"), "get-directory-usage-information",
            sc.directory_usage_information,
            (Arg("path", P, "Directory path"), Arg("depth", V, "Depth of subdirectories")),
            help="Show local directory information",
            read_only=True),
    Command(("show", "system", "commit", "revision"), "get-commit-revision-information",
            sc.commit_revision_information,
            (Arg("detail", F, "Display detailed output"),
             Arg("level", V, "Level of output", ("brief", "detail"))),
            help="Show the configuration revision of the last commit",
            read_only=True),
    Command(("show", "cli", "directory"), "get-cli-working-directory", sc.cli_directory,
            help="Show current working directory",
            read_only=True),
    # The RPCs PyEZ sends for its facts (NOTES.md 3.12), each with its CLI words.
    Command(("show", "interfaces"), "get-interface-information", pyez.interface_information,
            (Arg("interface-name", P, "Name of physical or logical interface"),
             Arg("terse", F, "Display terse output"),
             Arg("routing-instance", V, "Name of routing instance")),
            help="Show interface information",
            read_only=True),
    Command(("show", "chassis", "cluster", "status"), "get-chassis-cluster-status",
            pyez.chassis_cluster_status, help="Show chassis cluster status",
            read_only=True),
    Command(("show", "virtual-chassis"), "get-virtual-chassis-information",
            pyez.virtual_chassis_information, help="Show Virtual Chassis information",
            read_only=True),
    Command(("show", "ethernet-switching", "table"), "get-ethernet-switching-table-information",
            pyez.ethernet_switching_table, (Arg("summary", F, "Display summary output"),),
            help="Show Ethernet switching table",
            read_only=True),
    Command(("show", "bridge", "mac-table"), "get-bridge-mac-table", pyez.bridge_mac_table,
            (Arg("count", F, "Number of MAC addresses learned"),),
            help="Show bridge domain MAC table",
            read_only=True),
    Command(("request", "shell", "execute"), "request-shell-execute",
            pyez.shell_execute(lambda ctx, line: _run_cli(ctx, line)),
            (Arg("command", V, "Shell command to run"),
             Arg("routing-engine", V, "Routing Engine to run it on", pyez.RE_TARGETS)),
            help="Execute a shell command (hidden)"),
]



def _config_rpc(rpc: str, handler: Handler) -> Command:
    """Return a configuration RPC's row: no CLI words, ``format`` is its own attribute."""
    return Command((), rpc, handler, own_format=True)


CONFIGURATION_RPCS = [
    *(_config_rpc(rpc, cr.lock) for rpc in ("lock", "lock-configuration")),
    *(_config_rpc(rpc, cr.unlock) for rpc in ("unlock", "unlock-configuration")),
    *(_config_rpc(rpc, cr.open_close) for rpc in ("open-configuration", "close-configuration")),
    Command((), "load-configuration", cr.load_configuration, own_format=True,
            payload_format=True),
    Command((), "get-config", cr.get_config, own_format=True, read_only=True),
    Command((), "get", cr.get, own_format=True, read_only=True),
    _config_rpc("edit-config", cr.edit_config),
    _config_rpc("discard-changes", cr.discard_changes),
    *(Command((), rpc, cr.commit, own_format=True, warning_form=WarningForm.RPC_ERROR)
      for rpc in ("commit-configuration", "commit")),
    _config_rpc("validate", cr.validate),
]

TABLE = Table([*COMMANDS, *CONFIGURATION_RPCS])


def _run_cli(ctx: CommandContext, line: str) -> Result:
    """Run an operational command line through the table (``request shell execute`` ``cli``).

    Raises CommandSyntaxError for words that name no command, and the handler's errors."""
    cmd, req = TABLE.parse_cli(line)
    return cmd.handler(ctx, req)
