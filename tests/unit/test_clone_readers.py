"""``re-emulator clone``'s pure parts on real Junos replies: the readers (golden samples), the
mastership log's years, the configuration carried as far as the schema goes, and the sans-IO
NETCONF client core."""

from __future__ import annotations

import calendar

import pytest
from lxml import etree

from emulator.clone import readers
from emulator.clone.checks import flatten
from emulator.clone.client import ClientCore
from emulator.clone.configs import carry_config
from emulator.clone.errors import CloneError, NotReadOnlyError, ReplyError
from emulator.clone.logs import parse_log
from emulator.model.mlog import syslog_stamp
from emulator.netconf.framing import FramingMode, ReceiveBuffer, encode
from tests.shared import sample_text


def sample(name: str) -> etree._Element:
    """Return a golden sample's root (a trailing ``]]>]]>`` delimiter cut off)."""
    text = sample_text(name).strip().removesuffix("]]>]]>")
    return etree.fromstring(text.encode())


def utc(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


# --------------------------------------------------------------------------- readers
def test_route_engines_of_the_dual_mx480_sample() -> None:
    engines = readers.route_engines(sample("get-route-engine-information.dual.mx480.pyez.xml"))
    assert [(e.slot, e.state, e.model, e.serial) for e in engines] == [
        (0, "master", "RE-S-1800x4", "9013088309"), (1, "backup", "RE-S-1800x4", "9013086699")]
    master = engines[0]
    assert (master.dram_mb, master.dram_usable_mb) == (32768, 32719)
    assert master.start_time == 1482338877.0 and master.up_time == 858432.0
    assert master.now == 1482338877.0 + 858432.0
    # "2016-12-21 08:47:57 PST" for 16:47:57 UTC: the router prints its time 8 hours behind.
    assert master.zone == (-8 * 3600.0, "PST")


def test_route_engine_of_a_single_re_without_installed_memory() -> None:
    engines = readers.route_engines(sample("get-route-engine-information.single.vmx.pyez.xml"))
    assert len(engines) == 1 and engines[0].slot == 0 and engines[0].state == "master"
    assert engines[0].dram_mb is not None


def test_software_versions_from_junos_version_and_from_legacy_packages() -> None:
    dual = readers.software(sample(
        "command.show-version-invoke-on-all-routing-engines.dual.mx480.pyez.xml"))
    assert dual == readers.SoftwareFacts("baku", "mx480", "15.1F5.15-C1.12")
    legacy = readers.software(sample(
        "get-software-information.multi-re.ncclient-test-get-software-information.xml"))
    assert legacy == readers.SoftwareFacts("wf-kiwi", "mx960", "12.3R6.6")
    single = readers.software(sample("get-software-information.single.pyez.xml"))
    assert single.version == "12.1X46-D15.3"   # "JUNOS Software Release [12.1X46-D15.3]"
    assert readers.software(etree.fromstring("<rpc-reply/>")) == readers.SoftwareFacts(
        None, None, None)


def test_inventory_of_the_mx480_sample_and_the_backups_refusal() -> None:
    inv = readers.inventory(sample("get-chassis-inventory.mx480-dual-re.pyez.xml"))
    assert inv is not None
    assert (inv.serial, inv.description) == ("JN1249018AFB", "MX480")
    names = [m.name for m in inv.modules]
    assert names[:2] == ["Midplane", "FPM Board"] and "Routing Engine 1" in names
    fpc = next(m for m in inv.modules if m.name == "FPC 0")
    pic = next(m for m in fpc.modules if m.name == "PIC 0")
    assert len(pic.modules) == 12, "sub-modules and their sub-sub-modules (Xcvr) kept"
    assert fpc.model_dump(mode="json", exclude_defaults=True)["name"] == fpc.name
    refused = sample("get-chassis-inventory.backup-re-not-master.pyez.xml")
    assert readers.inventory(refused) is None


def test_configuration_and_log_content() -> None:
    reply = etree.fromstring(
        "<rpc-reply><configuration-text>system { host-name a; }\n</configuration-text>"
        "</rpc-reply>")
    assert readers.configuration_text(reply) == "system { host-name a; }\n"
    assert readers.configuration_text(etree.fromstring("<rpc-reply/>")) is None
    log = etree.fromstring(
        "<rpc-reply xmlns:junos='http://xml.juniper.net/junos/15.1F5/junos'>"
        "<file-content filename='/var/log/mastership' junos:seconds='1768254600'>"
        "Jan 12 21:50:05 clear-log[865]: logfile cleared\n</file-content></rpc-reply>")
    assert readers.log_text(log) == ("Jan 12 21:50:05 clear-log[865]: logfile cleared\n",
                                     1768254600.0)


# --------------------------------------------------------------------------- logs
def test_log_years_are_inferred_backwards_across_a_new_year() -> None:
    text = ("Dec 31 23:59:00 event = E_CMD_S, state = master, param = 0x0\n"
            "Jan  1 00:00:05 new state = backup\n"
            "Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x0\n")
    parsed = parse_log(text, utc(2026, 1, 12, 21, 51, 0))
    assert [at for at, _ in parsed.lines] == [utc(2025, 12, 31, 23, 59, 0),
                                              utc(2026, 1, 1, 0, 0, 5),
                                              utc(2026, 1, 12, 21, 50, 34)]
    # The emulator prints the same stamps again.
    assert [f"{syslog_stamp(at)} {body}" for at, body in parsed.lines] == text.splitlines()
    assert parsed.unstamped == 0


def test_a_log_line_later_than_the_clock_is_from_the_year_before() -> None:
    parsed = parse_log("Mar  3 10:00:00 a\n", utc(2026, 1, 12, 0, 0, 0))
    assert parsed.lines == ((utc(2025, 3, 3, 10, 0, 0), "a"),)


def test_lines_without_a_stamp_keep_the_time_before_and_are_counted() -> None:
    parsed = parse_log("continued first\nJan 12 21:50:34 a\ncontinued\n\n",
                       utc(2026, 1, 12, 22, 0, 0))
    at = utc(2026, 1, 12, 21, 50, 34)
    assert parsed.lines == ((at, "continued first"), (at, "a"), (at, "continued"))
    assert parsed.unstamped == 2


# --------------------------------------------------------------------------- configurations
def test_a_real_configuration_is_carried_whole() -> None:
    text = sample_text("config.groups-re0-re1.curly.vrnetlab-vmx.conf")
    carried = carry_config(text)
    assert carried.dropped == ()
    assert "apply-groups [ re0 re1 ];" in carried.text
    assert "host-name re1;" in carried.text and "class super-user;" in carried.text


def test_statements_the_schema_lacks_are_left_out_and_listed() -> None:
    text = ("## Last commit: 2016-12-01 09:14:56 PST by lab\nversion 15.1F5.15;\n"
            "system {\n    host-name foo;\n    frobnicate yes;\n}\n"
            "protocols {\n    mpls {\n        interface all;\n    }\n"
            "    bgp {\n        group ibgp {\n            type internal;\n        }\n    }\n}\n")
    carried = carry_config(text)
    assert "host-name foo;" in carried.text and "group ibgp" in carried.text
    assert "frobnicate" not in carried.text and "mpls" not in carried.text
    assert carried.dropped[0] == "[edit system] 'frobnicate yes;' -- syntax error (line 5)"
    assert any("'mpls {'" in line for line in carried.dropped)


def test_a_statement_left_without_its_mandatory_child_is_left_out_too() -> None:
    text = ("system {\n    login {\n        user bob {\n            uid 2001;\n"
            "            klass super-user;\n        }\n        user ann {\n"
            "            uid 2002;\n            class super-user;\n        }\n    }\n}\n")
    carried = carry_config(text)
    assert "user ann" in carried.text and "user bob" not in carried.text
    assert carried.dropped == (
        "[edit system login user bob] 'klass super-user;' -- syntax error (line 5)",
        "[edit system login] user bob -- Missing mandatory statement: 'class' (a statement "
        "it needs was left out)")


def test_text_that_is_no_configuration_is_refused() -> None:
    with pytest.raises(CloneError, match="not a configuration the emulator can read"):
        carry_config("<configuration><system/></configuration>")


# --------------------------------------------------------------------------- client core
def _server_hello(*caps: str) -> bytes:
    body = "".join(f"<capability>{c}</capability>" for c in caps)
    return (f"<hello xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'><capabilities>{body}"
            "</capabilities><session-id>7478</session-id></hello>]]>]]>").encode()


def test_hello_then_chunked_framing_when_both_speak_base_1_1() -> None:
    core = ClientCore()
    ours = ReceiveBuffer()
    ours.feed(core.hello())
    hello = etree.fromstring(ours.next_message() or b"")
    assert {c.text for c in hello.iter("{*}capability")} == {
        "urn:ietf:params:netconf:base:1.0", "urn:ietf:params:netconf:base:1.1"}
    assert list(core.receive(_server_hello("urn:ietf:params:netconf:base:1.1"))) == []
    assert core.hello_done and core.session_id == "7478"
    assert core.framing is FramingMode.CHUNKED
    message_id, data = core.request(etree.Element("get-software-information"))
    assert data.startswith(b"\n#") and data.endswith(b"\n##\n") and message_id == "1"
    reply = f"<rpc-reply message-id='{message_id}'><software-information/></rpc-reply>"
    framed = encode(reply.encode(), FramingMode.CHUNKED)
    got = [*core.receive(framed[:7]), *core.receive(framed[7:])]
    assert len(got) == 1 and core.check_reply(message_id, got[0]) is got[0]


def test_a_base_1_0_server_keeps_the_end_of_message_framing() -> None:
    core = ClientCore()
    list(core.receive(_server_hello("urn:ietf:params:netconf:base:1.0")))
    assert core.framing is FramingMode.EOM
    assert core.request(etree.Element("get-log"))[1].endswith(b"]]>]]>")


@pytest.mark.parametrize("rpc", ["commit-configuration", "load-configuration", "lock",
                                 "request-chassis-routing-engine-switch", "request-reboot",
                                 "command", "edit-config"])
def test_only_read_only_rpcs_are_sent(rpc: str) -> None:
    core = ClientCore()
    with pytest.raises(NotReadOnlyError, match=f"{rpc}: not a read-only RPC"):
        core.request(etree.Element(rpc))
    assert core.request(etree.Element("get-configuration"))[0] == "1", "nothing was counted"


def test_replies_must_match_and_carry_no_error() -> None:
    core = ClientCore()
    with pytest.raises(ReplyError, match="expected the reply to message-id 3, got '2'"):
        core.check_reply("3", etree.fromstring("<rpc-reply message-id='2'/>"))
    error = etree.fromstring(
        "<rpc-reply message-id='3' xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'><rpc-error>"
        "<error-severity>error</error-severity><error-message>syntax error</error-message>"
        "</rpc-error></rpc-reply>")
    with pytest.raises(ReplyError, match="^syntax error$"):
        core.check_reply("3", error)
    warning = etree.fromstring(
        "<rpc-reply message-id='3' xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'><rpc-error>"
        "<error-severity>warning</error-severity><error-message>hm</error-message></rpc-error>"
        "<ok/></rpc-reply>")
    assert core.check_reply("3", warning) is warning
    with pytest.raises(ReplyError, match="expected the server's <hello>, got <rpc-reply>"):
        list(ClientCore().receive(b"<rpc-reply/>]]>]]>"))


def test_flatten_leaves_out_the_moment_and_what_the_clone_does_not_carry() -> None:
    reply = sample("get-route-engine-information.dual.mx480.pyez.xml")
    lines = flatten(reply)
    assert "route-engine-information/route-engine[slot=1]/serial-number = 9013086699" in lines
    assert "route-engine-information/route-engine[slot=0]/mastership-state = master" in lines
    joined = "\n".join(lines)
    for gone in ("start-time", "up-time", "seconds", "cpu-idle", "load-average", "temperature",
                 "memory-buffer"):
        assert gone not in joined, gone
    assert "memory-dram-size = 32719 MB" in joined
