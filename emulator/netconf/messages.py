"""Inbound NETCONF messages: parse one framed message and say which event it is.

Pure functions over bytes and lxml elements; the session feeds them whole messages from its
:class:`~emulator.netconf.framing.ReceiveBuffer` and applies the event to its state table.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from lxml import etree

from emulator.netconf.errors import NETCONF_BASE_NS, ErrorTag, ErrorType, RpcError
from emulator.netconf.events import (
    CloseRequested,
    Event,
    HelloReceived,
    RpcReceived,
    RpcRejected,
    Violation,
)

__all__ = ["BASE_1_0", "BASE_1_1", "MAX_ATTRIBUTES", "MAX_DEPTH", "RequestMemo", "classify",
           "is_base", "local_name", "nc", "new_parser", "xml_safe"]

logger = logging.getLogger(__name__)

BASE_1_0 = "urn:ietf:params:netconf:base:1.0"
BASE_1_1 = "urn:ietf:params:netconf:base:1.1"

# Recovers message-id from a request too broken to parse, so the error reply can still be
# matched by the client (RFC 6241 section 4.2 wants it echoed).
_MESSAGE_ID_RE = re.compile(rb"""\bmessage-id\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")

#: The start of a request whose message-id :class:`RequestMemo` may cut out: an optional XML
#: declaration, then the root ``<rpc>`` (any prefix) whose attributes before the message-id are
#: all in double quotes, and a message-id of letters, digits and ``_.:-`` (ncclient's
#: ``urn:uuid:...``, a counter).  A double-quoted value holds no ``"``, so the match can only be
#: the root's own message-id attribute; its value needs no escaping and is not normalised.
_LEADING_MESSAGE_ID = re.compile(
    rb'(?:<\?xml[^<>?]*\?>\s*)?<(?:[A-Za-z_][\w.-]*:)?rpc'
    rb'(?:\s+[A-Za-z_][\w.:-]*="[^"<&]*")*?\s+message-id="([\w.:-]{1,128})"')

#: The characters XML 1.0 allows (section 2.2, production [2] Char): a recovered message-id
#: holding any other (U+0001, U+FFFE, ...) cannot be echoed in a reply document.
_XML_CHARS = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")

#: The most attributes one element of a request may hold, and the deepest nesting.  Both keep
#: the work per message linear in its size (lxml reads an element's attributes by name, one
#: scan each: echoing 100,000 of them took minutes) and the handlers' recursion bounded.  Junos
#: requests use a handful of attributes and a few tens of levels; more is answered ``too-big``.
MAX_ATTRIBUTES = 64
MAX_DEPTH = 128
#: No well-formed message shorter than this can pass either limit: more than
#: :data:`MAX_ATTRIBUTES` attributes take at least 5 bytes each (`` a=""``), more than
#: :data:`MAX_DEPTH` levels 7 each (``<a></a>``).  Most requests are shorter: no walk.
_CANNOT_BE_OVERSIZED = min(5 * (MAX_ATTRIBUTES + 1), 7 * MAX_DEPTH + 4)


def nc(local: str) -> str:
    """Return the Clark-notation name of ``local`` in the NETCONF base namespace."""
    return f"{{{NETCONF_BASE_NS}}}{local}"


def local_name(el: etree._Element) -> str:
    """Return the tag of ``el`` without its namespace (``{ns}get`` and ``get`` give ``get``)."""
    return str(etree.QName(el).localname)


def is_base(el: etree._Element, name: str) -> bool:
    """Return True if ``el`` is ``name`` in the base namespace or in no namespace.

    No namespace is accepted too: Junos clients send un-namespaced elements (NOTES.md), and
    Junos' XML mode is lenient about them.
    """
    return el.tag in (nc(name), name)


def new_parser() -> etree.XMLParser:
    """Return a parser hardened against entity expansion, network access and huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def classify(raw: bytes, parser: etree.XMLParser) -> Event:
    """Return the event the message ``raw`` (framing removed, stripped) stands for."""
    root = _parse(raw, parser)
    if root is not None and is_base(root, "hello"):
        return _hello_event(root)
    if root is None or not is_base(root, "rpc"):
        return _malformed(raw, root)
    return _rpc_event(root, len(raw))


class RequestMemo:
    """Requests already classified, by their bytes with the message-id's value cut out.

    Clients repeat requests that differ only in message-id (every poll of a wait, every
    ``get-config``); parsing and classifying each again was a sixth of the server's time per
    RPC.  A request is looked up when it starts as :data:`_LEADING_MESSAGE_ID` says and is at
    most ``max_bytes`` long; a well-formed ``<rpc>`` whose message-id is that value is kept
    (the ``limit`` most recent ones).  Any other value of that message-id parses to the same
    tree but for the message-id, so a later request with the same template is answered from
    the kept one: its attributes with the new message-id (in their place), its operation
    (shared, read only: ``RpcReceived.own_operation`` copies it for a handler) and the
    template.  Everything else (hellos, refusals, other requests) is classified as
    :func:`classify` does.
    """

    def __init__(self, limit: int = 256, max_bytes: int = 4096) -> None:
        self._limit = limit
        self._max_bytes = max_bytes
        self._kept: dict[bytes, RpcReceived] = {}

    def classify(self, raw: bytes, parser: etree.XMLParser) -> Event:
        """Return what :func:`classify` returns for ``raw``, from the kept request when the
        memo holds its template."""
        match = _LEADING_MESSAGE_ID.match(raw) if len(raw) <= self._max_bytes else None
        if match is None:
            return classify(raw, parser)
        start, end = match.span(1)
        template = raw[:start] + raw[end:]
        message_id = raw[start:end].decode("ascii")
        kept = self._kept.get(template)
        if kept is not None:
            attributes = dict(kept.attributes)
            attributes["message-id"] = message_id
            return RpcReceived(attributes, kept.operation, template)
        event = classify(raw, parser)
        if not isinstance(event, RpcReceived) or event.attributes.get("message-id") != message_id:
            return event
        if len(self._kept) >= self._limit:
            del self._kept[next(iter(self._kept))]
        event = replace(event, template=template)
        self._kept[template] = event
        return event

    def __len__(self) -> int:
        return len(self._kept)


def _parse(raw: bytes, parser: etree.XMLParser) -> etree._Element | None:
    """Return the root of ``raw``, or None if it is not well-formed XML."""
    try:
        return etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        logger.info("unparseable message: %s", exc)
        return None


def _hello_event(root: etree._Element) -> HelloReceived | Violation:
    """Return HelloReceived for an acceptable client hello, else a Violation saying why.

    RFC 6241 section 8.1: a client hello carrying a session-id makes the server terminate the
    session; a hello without :base:1.0 or :base:1.1 cannot be answered.
    """
    if any(is_base(child, "session-id") for child in root.iterchildren(tag=etree.Element)):
        return Violation("client hello carries a session-id (RFC 6241 section 8.1)")
    capabilities = tuple(
        (cap.text or "").strip()
        for caps in root.iterchildren(nc("capabilities"), "capabilities")
        for cap in caps.iterchildren(nc("capability"), "capability")
    )
    if BASE_1_0 not in capabilities and BASE_1_1 not in capabilities:
        return Violation("client hello lists no base capability")
    return HelloReceived(capabilities)


def xml_safe(text: str) -> bool:
    """Return True if ``text`` holds only characters an XML 1.0 document may carry."""
    return _XML_CHARS.fullmatch(text) is not None


def _oversized(root: etree._Element) -> str | None:
    """Return why ``root`` is too big to handle (too many attributes on one element, or too
    deep), or None; one linear walk."""
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > MAX_DEPTH:
            return f"elements nested deeper than {MAX_DEPTH} levels"
        if len(element.keys()) > MAX_ATTRIBUTES:
            return f"<{local_name(element)}> holds more than {MAX_ATTRIBUTES} attributes"
    return None


def _too_big(rpc: etree._Element, why: str) -> RpcRejected:
    """Return the ``too-big`` refusal of a request :func:`_oversized` refused."""
    message_id = rpc.get("message-id")
    attrs = {"message-id": message_id} if message_id is not None else {}
    return RpcRejected(attrs, RpcError(ErrorType.RPC, ErrorTag.TOO_BIG,
                                       message=f"request too big: {why}"))


def _rpc_event(rpc: etree._Element, size: int) -> RpcReceived | RpcRejected | CloseRequested:
    """Return the event of a well-formed ``<rpc>`` of ``size`` bytes: its one operation, or
    why it is refused."""
    why = None if size < _CANNOT_BE_OVERSIZED else _oversized(rpc)
    if why is not None:
        return _too_big(rpc, why)
    # No message-id is accepted, as Junos accepts it: its <rpc> attributes are optional and
    # echoed unchanged (Juniper's <rpc> tag reference; Juniper's netconf-java sends a bare
    # <rpc>), so the reply carries none either (RFC 6241 section 4.1 would refuse it).
    attrs = dict(rpc.attrib)
    children = list(rpc.iterchildren(tag=etree.Element))
    if len(children) != 1:
        # RFC 6241 section 4.1 allows exactly one operation; malformed-message is reserved for
        # parse failures.
        return RpcRejected(attrs, RpcError(
            ErrorType.RPC, ErrorTag.OPERATION_FAILED,
            message=f"<rpc> must hold exactly one operation, found {len(children)}",
            info={"bad-element": "rpc"}))
    operation = children[0]
    if is_base(operation, "close-session"):
        return CloseRequested(attrs)
    if is_base(operation, "kill-session"):
        return RpcRejected(attrs, RpcError(
            ErrorType.PROTOCOL, ErrorTag.OPERATION_NOT_SUPPORTED,
            message="kill-session is not supported by this emulator",
            info={"bad-element": "kill-session"}))
    return RpcReceived(attrs, operation)


def _malformed(raw: bytes, root: etree._Element | None) -> RpcRejected:
    """Return the malformed-message refusal of a message that is not a well-formed ``<rpc>``."""
    attrs: dict[str, str] = {}
    message_id = _recover_message_id(raw)
    if message_id is not None:
        attrs["message-id"] = message_id
    text = ("message is not well-formed XML" if root is None
            else f"expected <rpc>, got <{local_name(root)}>")
    return RpcRejected(attrs, RpcError(ErrorType.RPC, ErrorTag.MALFORMED_MESSAGE, message=text))


def _recover_message_id(raw: bytes) -> str | None:
    """Return the message-id found by regex in an unparseable request, or None."""
    match = _MESSAGE_ID_RE.search(raw)
    if match is None:
        return None
    value = match.group(1) if match.group(1) is not None else match.group(2)
    text = value.decode("utf-8", errors="replace")
    # Not well-formed, so anything may be there: what XML cannot carry is not echoed.
    return text if xml_safe(text) else None
