"""The emulator's CLI text read by the parsers users run on real routers: Genie's Junos parsers
(``genie.libs.parser``) and ntc-templates (TextFSM).  Each parser reads the text of the served
emulator (``<command format="text">``, what PyEZ ``cli`` and netmiko return) and must find in
it exactly what the emulator's XML reply for the same command says; a parser that cannot read
the real Junos sample either is held to the same outcome on the emulator's text."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import textfsm
from genie.libs.parser.junos import (
    show_chassis,
    show_log,
    show_platform,
    show_system,
    show_task,
)
from genie.metaparser.util.exceptions import SchemaEmptyParserError
from lxml import etree
from ncclient import manager
from ntc_templates.parse import parse_output

from tests.compat.served import PASSWORD, TARGET_RE, USER, ServedEmulator
from tests.shared import sample_text

compat = pytest.mark.compat
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


class Router:
    """Text and XML of commands on one target of the served emulator."""

    def __init__(self, served: ServedEmulator, target: str) -> None:
        ep = served.endpoint(target)
        self._m = manager.connect(host=ep.host, port=ep.port, username=USER,
                                  password=PASSWORD, hostkey_verify=False,
                                  look_for_keys=False, allow_agent=False, timeout=30)
        self.target = target

    def _reply(self, line: str, fmt: str) -> etree._Element:
        op = etree.Element("command", format=fmt)
        op.text = line
        return etree.fromstring(self._m.dispatch(op).xml.encode())

    def text(self, line: str) -> str:
        """Return the CLI text of ``line`` (``<output>`` or ``configuration-output``)."""
        reply = self._reply(line, "text")
        found = reply.xpath("//*[local-name()='output' or local-name()='configuration-output']")
        return "".join(found[0].itertext()) if found else ""

    def xml(self, line: str) -> etree._Element:
        """Return the XML reply of ``line``."""
        return self._reply(line, "xml")

    def close(self) -> None:
        self._m.close_session()


@pytest.fixture
def cli(served: ServedEmulator, target: str) -> Iterator[Router]:
    r = Router(served, target)
    yield r
    r.close()


def _genie(parser: type, text: str, **kwargs: str) -> dict:  # type: ignore[type-arg]
    return parser(device=object()).parse(output=text, **kwargs)  # type: ignore[no-any-return]


def _values(xml: etree._Element, tag: str) -> list[str]:
    return [(e.text or "").strip() for e in xml.iter(f"{{*}}{tag}")]


def _on_master(target: str) -> bool:
    return TARGET_RE[target] == "re0"


@compat("Genie parsers", "genie.libs.parser", "show chassis routing-engine")
def test_genie_routing_engine(cli: Router) -> None:
    parsed = _genie(show_chassis.ShowChassisRoutingEngine,
                    cli.text("show chassis routing-engine"))
    engines = parsed["route-engine-information"]["route-engine"]
    xml = cli.xml("show chassis routing-engine")
    assert [e["slot"] for e in engines] == _values(xml, "slot")
    assert [e["mastership-state"].lower() for e in engines] == _values(xml, "mastership-state")
    assert [e["model"] for e in engines] == _values(xml, "model")
    assert [e["up-time"]["#text"] for e in engines] == _values(xml, "up-time")
    # Junos-shaped RE serials (MX: ten digits, "90..."): Genie reads them as on a real MX.
    assert [e.get("serial-number") for e in engines] == _values(xml, "serial-number")


@compat("Genie parsers", "genie.libs.parser", "show chassis hardware")
def test_genie_hardware(cli: Router, target: str) -> None:
    text = cli.text("show chassis hardware")
    if not _on_master(target):  # the backup's "Aborted!": nothing to parse, as on Junos
        with pytest.raises(SchemaEmptyParserError):
            _genie(show_chassis.ShowChassisHardware, text)
        return
    parsed = _genie(show_chassis.ShowChassisHardware, text)["chassis-inventory"]["chassis"]
    xml = cli.xml("show chassis hardware")
    assert parsed["serial-number"] == xml.findtext(".//{*}chassis/{*}serial-number")
    modules = {m["name"]: m for m in parsed["chassis-module"]}
    rows = {m.findtext("{*}name"): m for m in xml.iter("{*}chassis-module")}
    # Genie knows Midplane, FPM, Routing Engine, CB, FPC, ... rows by name; PEM and an
    # unnumbered "Fan Tray" are not among them, on a real MX480 either.
    assert set(modules) == {n for n in rows if n and not n.startswith(("PEM", "Fan Tray"))}
    for name, module in modules.items():
        assert module.get("serial-number") == rows[name].findtext("{*}serial-number"), name


@compat("Genie parsers", "genie.libs.parser", "show version")
def test_genie_version(cli: Router) -> None:
    parsed = _genie(show_platform.ShowVersion, cli.text("show version"))
    info = parsed["software-information"]
    xml = cli.xml("show version")
    assert info["host-name"] == xml.findtext(".//{*}host-name")
    assert info["junos-version"] == xml.findtext(".//{*}junos-version")
    assert info["product-model"] == xml.findtext(".//{*}product-model")


@compat("Genie parsers", "genie.libs.parser", "show system uptime, storage")
def test_genie_uptime_and_storage(cli: Router) -> None:
    uptime = _genie(show_system.ShowSystemUptime, cli.text("show system uptime"))
    info = uptime["system-uptime-information"]
    xml = cli.xml("show system uptime")
    assert info["last-configured-time"]["user"] == xml.findtext(".//{*}user")
    assert info["uptime-information"]["load-average-1"] == xml.findtext(
        ".//{*}load-average-1")
    storage = _genie(show_system.ShowSystemStorage, cli.text("show system storage"))
    mounts = [f["mounted-on"] for f in storage["system-storage-information"]["filesystem"]]
    assert mounts == _values(cli.xml("show system storage"), "mounted-on")


@compat("Genie parsers", "genie.libs.parser", "file list, file list detail")
def test_genie_file_list(cli: Router) -> None:
    listing = _genie(show_platform.FileList, cli.text("file list /var/tmp/"))
    files = set(listing["dir"]["var/tmp"]["files"])
    xml = cli.xml("file list /var/tmp/")
    # Genie's pattern takes names of letters, digits, "-_.@": like a real router's text, the
    # names with a kind mark ("=" socket, "*" executable) are left out.
    plain = {info.findtext("{*}file-name") for info in xml.iter("{*}file-information")
             if len(info) == 1}  # a name and no kind mark
    assert plain and files == plain
    detail = _genie(show_platform.FileListDetail, cli.text("file list /var/tmp detail"),
                    root_path="/var/tmp")
    entries = detail["directory-list"]["directory"]["file-information"]
    xml = cli.xml("file list /var/tmp detail")
    assert [e["file-owner"] for e in entries] == _values(xml, "file-owner")
    assert [e["file-size"] for e in entries] == _values(xml, "file-size")
    assert detail["directory-list"]["directory"]["total-files"] == xml.findtext(
        ".//{*}total-files")


@compat("Genie parsers", "genie.libs.parser", "show log messages")
def test_genie_show_log(cli: Router) -> None:
    parsed = _genie(show_log.ShowLogFilename, cli.text("show log messages"),
                    filename="messages")
    lines = parsed["file-content"]
    assert any("UI_COMMIT" in line for line in lines)


@compat("Genie parsers", "genie.libs.parser", "show chassis environment")
def test_genie_environment(cli: Router, target: str) -> None:
    text = cli.text("show chassis environment")
    if not _on_master(target):
        with pytest.raises(SchemaEmptyParserError):
            _genie(show_chassis.ShowChassisEnvironment, text)
        return
    parsed = _genie(show_chassis.ShowChassisEnvironment, text)
    items = parsed["environment-information"]["environment-item"]
    assert [i["name"] for i in items] == _values(cli.xml("show chassis environment"), "name")


@compat("Genie parsers", "genie.libs.parser", "show task replication")
def test_genie_task_replication(cli: Router) -> None:
    parsed = _genie(show_task.ShowTaskReplication, cli.text("show task replication"))
    state = parsed["task-replication-state"]
    xml = cli.xml("show task replication")
    assert state["task-gres-state"] == xml.findtext(".//{*}task-gres-state")


def _ntc(command: str, text: str) -> list[dict[str, str]]:
    return parse_output(platform="juniper_junos", command=command, data=text)  # type: ignore


def _fails_like_real(parse: Callable[[str], object], real: str, ours: str) -> None:
    """A template that stops on the real sample must stop on ours too (and parse both else)."""
    try:
        parse(real)
    except textfsm.TextFSMError:
        with pytest.raises(textfsm.TextFSMError):
            parse(ours)
        return
    assert parse(ours)


@compat("ntc-templates (TextFSM)", "ntc-templates", "show version, show system uptime")
def test_ntc_version_and_uptime(cli: Router) -> None:
    (version,) = _ntc("show version", cli.text("show version"))
    assert version["hostname"] == "r1" and version["model"].lower() == "mx480"
    (uptime,) = _ntc("show system uptime", cli.text("show system uptime"))
    xml = cli.xml("show system uptime")
    assert uptime["last_config_user"] == xml.findtext(".//{*}user")
    assert uptime["load_average_1min"] == xml.findtext(".//{*}load-average-1")


@compat("ntc-templates (TextFSM)", "ntc-templates", "show chassis hardware")
def test_ntc_hardware(cli: Router, target: str) -> None:
    ours = cli.text("show chassis hardware")
    real = sample_text("show-chassis-hardware.text.genie.txt")
    if _on_master(target):
        _fails_like_real(lambda text: _ntc("show chassis hardware", text), real, ours)
    else:
        assert "Aborted!" in ours
