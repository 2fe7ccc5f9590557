"""The Junos XML configuration format (``<configuration>``): parse (``load-configuration``,
``edit-config``) and render (``get-configuration``)."""

from __future__ import annotations

from lxml import etree

from emulator.model.config_errors import ConfigSyntaxError
from emulator.model.config_tree import (
    HINTS,
    ConfigNode,
    Edit,
    EditAction,
    Hint,
    NodeKind,
    PathStep,
    merge_into,
)

__all__ = ["parse_xml", "render_xml"]

# ------------------------------------------------------------------ Junos XML
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _kids(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _attr(el: etree._Element, name: str) -> str | None:
    """Return attribute ``name`` in any namespace (``operation`` is in the NETCONF base ns)."""
    for k, v in el.attrib.items():
        if etree.QName(k).localname == name:
            return str(v)
    return None


def _operation(el: etree._Element) -> EditAction | None:
    """Return the edit an element's attributes ask for (RFC 6241 7.2, Junos XML attributes)."""
    op = _attr(el, "operation")
    if op in ("delete", "remove") or _attr(el, "delete") == "delete":
        return EditAction.DELETE
    if op == "replace" or _attr(el, "replace") == "replace":
        return EditAction.REPLACE
    if _attr(el, "active") == "active":
        return EditAction.ACTIVATE
    if _attr(el, "inactive") == "inactive" and not _kids(el) and not (el.text or "").strip():
        return EditAction.DEACTIVATE  # <host-name inactive="inactive"/>: deactivate in place
    return None


def _repeats(el: etree._Element) -> set[str]:
    """Return names of value-only children that repeat under ``el``: they form a leaf-list."""
    seen: set[str] = set()
    twice: set[str] = set()
    for c in _kids(el):
        if not _kids(c) and (c.text or "").strip():
            name = _local(c)
            (twice if name in seen else seen).add(name)
    return twice


def _key_element(el: etree._Element) -> etree._Element | None:
    for c in _kids(el):
        if _local(c) == "name" and not _kids(c):
            return c
    return None


def _xml_node(el: etree._Element, repeated: bool) -> ConfigNode:
    """Return the subtree of ``el`` (operation attributes inside are not looked at)."""
    name, text = _local(el), (el.text or "").strip()
    key_el = _key_element(el)
    if key_el is not None:
        node = ConfigNode.entry(name, (key_el.text or "").strip())
        node.children = _xml_children(el, skip=key_el)
    elif _kids(el):
        node = ConfigNode.container(name, _xml_children(el, skip=None))
    elif text and (repeated or HINTS.get(name) is Hint.LEAF_LIST):
        node = ConfigNode.leaf_list(name, [text])
    elif text:
        node = ConfigNode.leaf(name, text)
    else:
        node = ConfigNode.container(name)
    node.inactive = _attr(el, "inactive") == "inactive"
    return node


def _xml_children(el: etree._Element, skip: etree._Element | None) -> list[ConfigNode]:
    holder = ConfigNode.container(_local(el))
    twice = _repeats(el)
    for c in _kids(el):
        if c is not skip:
            merge_into(holder, _xml_node(c, _local(c) in twice))
    return holder.children


def _has_operation(el: etree._Element) -> bool:
    return any(_operation(d) is not None for d in el.iter() if isinstance(d.tag, str))


def _xml_edits(el: etree._Element, path: tuple[PathStep, ...], edits: list[Edit]) -> None:
    """Append, in document order, the edits the children of ``el`` ask for."""
    twice = _repeats(el)
    key_el = _key_element(el) if path else None
    for c in _kids(el):
        if c is key_el:
            continue
        node, op = _xml_node(c, _local(c) in twice), _operation(c)
        if op is not None:
            if op is not EditAction.REPLACE:
                node.children = []
            edits.append(Edit(op, path, node))
        elif _has_operation(c):
            if node.kind is NodeKind.ENTRY:
                edits.append(Edit(EditAction.MERGE, path, ConfigNode.entry(node.name,
                                                                           node.key or "")))
            _xml_edits(c, path + (PathStep(node.name, node.key),), edits)
        else:
            edits.append(Edit(EditAction.MERGE, path, node))


def _configuration(data: str | bytes | etree._Element) -> etree._Element:
    """Return the ``<configuration>`` element of ``data``.  Raises ConfigSyntaxError."""
    if isinstance(data, str):
        data = data.lstrip("\ufeff").encode()
    if isinstance(data, bytes):
        try:
            data = etree.fromstring(data, _XML_PARSER)
        except etree.XMLSyntaxError as exc:
            raise ConfigSyntaxError("<xml>", f"syntax error: {exc}") from exc
    if _local(data) == "configuration":
        return data
    found = data.find(".//{*}configuration")
    if found is None:
        found = data.find(".//configuration")
    if found is None:
        raise ConfigSyntaxError(_local(data), "syntax error, expecting <configuration>")
    return found


def parse_xml(data: str | bytes | etree._Element) -> tuple[ConfigNode, list[Edit]]:
    """Parse Junos XML: return (the tree, the edits of a load in document order).

    ``data`` is a ``<configuration>`` element (or a document holding one).  Keyed lists are
    elements with a ``<name>`` child; repeated value elements form a leaf-list; an empty element
    is a presence container.  ``operation="delete|remove|replace"`` (RFC 6241 7.2) and Junos's
    ``delete="delete"``, ``replace="replace"``, ``active="active"``, ``inactive="inactive"``
    attributes become edits.  Raises ConfigSyntaxError.
    """
    conf = _configuration(data)
    edits: list[Edit] = []
    _xml_edits(conf, (), edits)
    tree = ConfigNode.root()
    tree.children = _xml_children(conf, skip=None)
    return tree, edits


def _xml_append(parent: etree._Element, node: ConfigNode) -> None:
    values = node.values if node.kind is NodeKind.LEAF_LIST else [None]
    for v in values:
        el = etree.SubElement(parent, node.name)
        if node.inactive:
            el.set("inactive", "inactive")
        if node.kind is NodeKind.ENTRY:
            etree.SubElement(el, "name").text = node.key
        el.text = v if v is not None else node.value
        for c in node.children:
            _xml_append(el, c)


def render_xml(root: ConfigNode) -> etree._Element:
    """Return ``root`` as a Junos XML ``<configuration>`` element (no namespace, no attributes;
    the face adds ``junos:commit-seconds`` and friends)."""
    conf = etree.Element("configuration")
    for c in root.children:
        _xml_append(conf, c)
    return conf
