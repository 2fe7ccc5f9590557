"""Small helpers to build Junos reply XML with lxml."""

from __future__ import annotations

from lxml import etree

from emulator.commands.render_chassis import namespace_version

__all__ = ["JUNOS_NS_FMT", "XNM_NS", "junos_ns", "output_element", "sub", "xnm_message"]

JUNOS_NS_FMT = "http://xml.juniper.net/junos/{version}/junos"
XNM_NS = "http://xml.juniper.net/xnm/1.1/xnm"


def junos_ns(version: str) -> str:
    """Return the ``junos:`` namespace URI Junos ``version`` uses in replies."""
    return JUNOS_NS_FMT.format(version=namespace_version(version))


def sub(parent: etree._Element, tag: str, text: object | None = None, **attrib: str
        ) -> etree._Element:
    """Append ``<tag>text</tag>`` to ``parent`` (in the parent's namespace); return it."""
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag, attrib)
    if text is not None:
        el.text = str(text)
    return el


def xnm_message(kind: str, message: str) -> etree._Element:
    """Return ``<xnm:warning>`` / ``<xnm:error>`` with a ``<message>`` (request-halt.pyez.xml)."""
    el = etree.Element(f"{{{XNM_NS}}}{kind}", nsmap={None: XNM_NS, "xnm": XNM_NS})
    etree.SubElement(el, f"{{{XNM_NS}}}message").text = message
    return el


def output_element(text: str) -> etree._Element:
    """Return ``<output>text</output>``, Junos's reply element for plain text."""
    el = etree.Element("output")
    el.text = text
    return el
