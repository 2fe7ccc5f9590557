"""Outbound NETCONF documents: the server ``<hello>`` and ``<rpc-reply>`` envelopes, as bytes.

Pure functions; the session frames what they return (RFC 6242) for the current framing mode.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence

from lxml import etree

from emulator.netconf.errors import NETCONF_BASE_NS
from emulator.netconf.events import RpcReply
from emulator.netconf.messages import nc

__all__ = ["nsmap_with", "plain_attributes", "preamble_comment", "render_hello", "render_reply",
           "reply_document", "with_attributes"]

#: An attribute value lxml writes as it is (nothing to escape: RFC 6241 message-ids as clients
#: send them), and a name in no namespace.
_PLAIN_VALUE = re.compile(r'[^&<>"\t\n\r]*')
_PLAIN_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*")


def render_hello(capabilities: Sequence[str], session_id: int, preamble: bytes) -> bytes:
    """Return the server hello document, preceded by the ``preamble`` comment (may be empty)."""
    hello = etree.Element(nc("hello"), nsmap={None: NETCONF_BASE_NS})
    caps = etree.SubElement(hello, nc("capabilities"))
    for uri in capabilities:
        etree.SubElement(caps, nc("capability")).text = uri
    etree.SubElement(hello, nc("session-id")).text = str(session_id)
    return preamble + _serialize(hello)


def render_reply(attributes: Mapping[str, str], reply: RpcReply,
                 nsmap: Mapping[str | None, str]) -> bytes:
    """Return the serialized ``<rpc-reply>``: errors, then body, then ``<ok/>``.

    Every attribute of ``<rpc>`` is echoed, message-id included (RFC 6241 section 4.2).  The
    same bytes as :func:`with_attributes` of :func:`reply_document` where that applies.
    """
    if not plain_attributes(attributes):
        return _serialize(_reply_tree(attributes, reply, nsmap))
    return with_attributes(reply_document(reply, nsmap), attributes)


def reply_document(reply: RpcReply, nsmap: Mapping[str | None, str]) -> bytes:
    """Return the serialized ``<rpc-reply>`` without the request's attributes: what every
    request answered by ``reply`` shares (the server keeps it between state changes)."""
    return _serialize(_reply_tree({}, reply, nsmap))


def plain_attributes(attributes: Mapping[str, str]) -> bool:
    """Return True if every attribute name is in no namespace (``message-id``, not
    ``{uri}name``): only those are put into a rendered document by :func:`with_attributes`."""
    return all(_PLAIN_NAME.fullmatch(name) for name in attributes)


def with_attributes(document: bytes, attributes: Mapping[str, str]) -> bytes:
    """Return ``document`` (from :func:`reply_document`) with ``attributes`` on its root, as
    lxml writes them: after the namespace declarations, escaped as lxml escapes them.

    Raises ``ValueError`` unless :func:`plain_attributes` (a namespaced attribute needs its
    prefix declared: :func:`render_reply` renders those as a tree).
    """
    if not attributes:
        return document
    if not plain_attributes(attributes):
        raise ValueError(f"attribute names in a namespace: {list(attributes)}")
    end = document.index(b">")
    if document[end - 1:end] == b"/":
        end -= 1
    if all(_PLAIN_VALUE.fullmatch(v) for v in attributes.values()):
        text = "".join(f' {k}="{v}"' for k, v in attributes.items()).encode()
    else:  # lxml's own escaping (quotes, ampersands, line ends as character references)
        tag = etree.tostring(etree.Element("a", dict(attributes)), encoding="utf-8")
        text = b" " + tag[len(b"<a "):-len(b"/>")]
    return document[:end] + text + document[end:]


def _reply_tree(attributes: Mapping[str, str], reply: RpcReply,
                nsmap: Mapping[str | None, str]) -> etree._Element:
    """Return the ``<rpc-reply>`` element.  The body elements are copied: appending would
    move them out of the caller's own tree."""
    root = etree.Element(nc("rpc-reply"), nsmap=dict(nsmap))
    for name, value in attributes.items():
        root.set(name, value)
    root.text = reply.text  # a JSON reply is the text of <rpc-reply> itself
    for error in reply.errors:
        root.append(error.to_element())
    for element in reply.body:
        root.append(_copy(element))
    if reply.ok or not (reply.body or reply.errors or reply.text):
        etree.SubElement(root, nc("ok"))
    return root


def _copy(element: etree._Element) -> etree._Element:
    """Return a deep copy of ``element`` (namespaces kept) without its tail text."""
    duplicate = copy.deepcopy(element)
    duplicate.tail = None
    return duplicate


def _serialize(root: etree._Element) -> bytes:
    """Return ``root`` as UTF-8 bytes, no XML declaration, newline-terminated like Junos."""
    return etree.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def nsmap_with(extra: Mapping[str | None, str] | None) -> dict[str | None, str]:
    """Return the ``<rpc-reply>`` nsmap: the base namespace as default plus ``extra``.

    Raises ``ValueError`` if ``extra`` maps the default prefix elsewhere (ncclient would then
    miss every rpc-error: NOTES.md section 2).
    """
    nsmap: dict[str | None, str] = {None: NETCONF_BASE_NS}
    for prefix, uri in (extra or {}).items():
        if prefix is None and uri != NETCONF_BASE_NS:
            raise ValueError(f"the default namespace of <rpc-reply> must stay {NETCONF_BASE_NS}")
        nsmap[prefix] = uri
    return nsmap


def preamble_comment(preamble: str | None) -> bytes:
    """Return ``preamble`` as an XML comment line (accepted bare or as ``<!-- ... -->``).

    Raises ``ValueError`` if the text holds ``--`` or ends in ``-`` (XML 1.0 section 2.5).
    """
    if preamble is None:
        return b""
    text = preamble.strip()
    if text.startswith("<!--") and text.endswith("-->"):
        text = text[4:-3].strip()
    if "--" in text or text.endswith("-"):
        raise ValueError(f"hello_preamble cannot be an XML comment: {preamble!r}")
    return f"<!-- {text} -->\n".encode()
