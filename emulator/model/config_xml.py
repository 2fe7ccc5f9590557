"""The Junos XML configuration format (``<configuration>``): parse (``load-configuration``,
``edit-config``) and render (``get-configuration``), element by element against the schema.

An element the schema does not know is refused with ``syntax error`` naming it in
``<bad-element>`` (samples/load-configuration.error.pyez.xml), a value outside its type with
Junos's value message.  An XML load is all or nothing.
"""

from __future__ import annotations

from lxml import etree

from emulator.model.config_errors import ConfigSyntaxError, ConfigValueError
from emulator.model.config_tree import (
    ConfigNode,
    Edit,
    EditAction,
    NodeKind,
    PathStep,
    merge_into,
)
from emulator.model.schema import ROOT, Kind, Statement, child_of

__all__ = ["parse_xml", "render_xml"]

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


def _value(me: Statement, el: etree._Element, text: str) -> str:
    """Return ``text`` as a value of ``me``.  Raises ConfigSyntaxError / ConfigValueError."""
    assert me.type is not None  # lists, leaves and leaf-lists all have one
    problem = me.type.problem(text)
    if problem is None:
        return me.type.normalize(text)
    if problem.syntax:
        raise ConfigSyntaxError(text)
    raise ConfigValueError(_local(el), problem.message)


def _key(me: Statement, el: etree._Element) -> etree._Element | None:
    for c in _kids(el):
        if _local(c) == me.key_tag and not _kids(c):
            return c
    return None


def _xml_node(el: etree._Element, at: Statement | None, loose: bool) -> ConfigNode:
    """Return the subtree of ``el`` under the schema ``at``; ``loose`` lets values and keys be
    absent (filters, and elements carrying a delete or (de)activate operation).

    Raises ConfigSyntaxError naming an element the schema does not know there.
    """
    name, text = _local(el), (el.text or "").strip()
    me = child_of(at, name)
    if me is None:
        raise ConfigSyntaxError(name)
    loose = loose or _operation(el) in (EditAction.DELETE, EditAction.DEACTIVATE,
                                        EditAction.ACTIVATE)
    if me.kind is Kind.LIST:
        key_el = _key(me, el)
        if key_el is None and not loose:
            raise ConfigSyntaxError(name, "syntax error, expecting <name>")
        key = None if key_el is None else _value(me, key_el, (key_el.text or "").strip())
        node = ConfigNode(name, NodeKind.ENTRY, key)
        node.children = _xml_children(el, me, key_el, loose)
    elif me.takes_value:
        if not text and not loose:
            raise ConfigSyntaxError(name, "syntax error, expecting <data>")
        value = _value(me, el, text) if text else None
        node = (ConfigNode.leaf_list(name, [value] if value else []) if me.kind is
                Kind.LEAF_LIST else ConfigNode(name, NodeKind.LEAF, value=value))
    else:
        node = ConfigNode.container(name, _xml_children(el, me, None, loose))
    node.inactive = _attr(el, "inactive") == "inactive"
    return node


def _xml_children(el: etree._Element, at: Statement, skip: etree._Element | None,
                  loose: bool) -> list[ConfigNode]:
    holder = ConfigNode.container(_local(el))
    for c in _kids(el):
        if c is not skip:
            merge_into(holder, _xml_node(c, at, loose), at)
    return holder.children


def _has_operation(el: etree._Element) -> bool:
    return any(_operation(d) is not None for d in el.iter() if isinstance(d.tag, str))


def _xml_edits(el: etree._Element, path: tuple[PathStep, ...], at: Statement | None,
               edits: list[Edit], loose: bool) -> None:
    """Append, in document order, the edits the children of ``el`` ask for."""
    key_el = _key(at, el) if path and at is not None and at.kind is Kind.LIST else None
    for c in _kids(el):
        if c is key_el:
            continue
        node, op = _xml_node(c, at, loose), _operation(c)
        if op is not None:
            if op is not EditAction.REPLACE:
                node.children = []
            edits.append(Edit(op, path, node))
        elif _has_operation(c):
            if node.kind is NodeKind.ENTRY:
                edits.append(Edit(EditAction.MERGE, path, ConfigNode.entry(node.name,
                                                                           node.key or "")))
            _xml_edits(c, path + (PathStep(node.name, node.key),), child_of(at, node.name),
                       edits, loose)
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


def parse_xml(data: str | bytes | etree._Element, *, loose: bool = False
              ) -> tuple[ConfigNode, list[Edit]]:
    """Parse Junos XML: return (the tree, the edits of a load in document order).

    ``data`` is a ``<configuration>`` element (or a document holding one).  A list entry's
    key is its key element (``<name>``); leaf-list values repeat their element; an empty
    element is a presence statement.  ``operation="delete|remove|replace"`` (RFC 6241 7.2)
    and Junos's ``delete="delete"``, ``replace="replace"``, ``active="active"``,
    ``inactive="inactive"`` attributes become edits.  ``loose`` accepts a subtree filter
    (``<configuration><system/></configuration>``: no keys or values needed).
    Raises ConfigSyntaxError (an element the schema does not know) and ConfigValueError.
    """
    conf = _configuration(data)
    edits: list[Edit] = []
    _xml_edits(conf, (), ROOT, edits, loose)
    tree = ConfigNode.root()
    tree.children = _xml_children(conf, ROOT, None, loose)
    return tree, edits


def _xml_append(parent: etree._Element, node: ConfigNode, at: Statement | None) -> None:
    me = child_of(at, node.name)
    values = node.values if node.kind is NodeKind.LEAF_LIST else [None]
    for v in values:
        el = etree.SubElement(parent, node.name)
        if node.inactive:
            el.set("inactive", "inactive")
        if node.kind is NodeKind.ENTRY:
            etree.SubElement(el, me.key_tag if me is not None else "name").text = node.key
        el.text = v if v is not None else node.value
        for c in node.children:
            _xml_append(el, c, me)


def render_xml(root: ConfigNode, at: Statement | None = ROOT) -> etree._Element:
    """Return the children of ``root`` (schema ``at``) in a Junos XML ``<configuration>``
    element (no namespace, no attributes; the face adds ``junos:commit-seconds`` and
    friends)."""
    conf = etree.Element("configuration")
    for c in root.children:
        _xml_append(conf, c, at)
    return conf
