"""JSON as Junos writes it, derived from the same XML a reply carries, so the two cannot
disagree; and the configuration JSON ``load-configuration format="json"`` reads.

Two conventions (PyEZ fixtures ``get-route-information.json`` and ``get-configuration.json``,
Junos 16.1):

* **operational** replies: every element is an array of objects; an element's text is its
  ``"data"`` (``[null]`` for an empty element), its attributes ``"attributes"`` (``xmlns``
  where its namespace starts), its children are members named by tag::

      {"route-engine-information" : [{"attributes" : {"xmlns" : "..."},
                                      "route-engine" : [{"slot" : [{"data" : "0"}]}]}]}

* the **configuration**: containers are objects, keyed lists arrays of objects holding
  ``"name"``, leaf-lists arrays of values, leaves values (numbers unquoted), presence
  statements ``[null]``, the ``<configuration>`` attributes under ``"@"``; inactive statements
  carry ``"@" : {"inactive" : true}`` (``"@leaf"`` for a leaf).

The configuration side reads the configuration tree (``ConfigNode``: kind, key, value(s),
children), the interface the configuration schema offers, and writes the XML the schema loads;
nothing else of the schema is known here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from emulator.model.config_tree import ConfigNode, NodeKind

__all__ = ["JsonConfigError", "config_json", "config_xml_from_json", "operational_json"]

INDENT = "    "


class JsonConfigError(ValueError):
    """A ``load-configuration format="json"`` payload is not Junos configuration JSON."""


# ------------------------------------------------------------------ writing
def _scalar(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _inline(mapping: Mapping[str, Any]) -> str:
    """``{"k" : "v", "k2" : "v2"}`` on one line, as Junos writes ``"attributes"``."""
    return "{" + ", ".join(f"{_scalar(k)} : {_scalar(v)}" for k, v in mapping.items()) + "}"


def _object(obj: Mapping[str, Any], indent: str) -> str:
    inner = indent + INDENT
    members = [f"{inner}{_scalar(key)} : {_value(key, value, inner)}" for key, value in obj.items()]
    return "{\n" + ", \n".join(members) + "\n" + indent + "}"


def _value(key: str, value: Any, indent: str) -> str:
    if isinstance(value, Mapping):
        return _inline(value) if key == "attributes" else _object(value, indent)
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        # Arrays of objects: each "{" starts a line at the member's own indentation.
        return "[\n" + ", \n".join(indent + _object(v, indent) for v in value) + "\n" \
            + indent + "]"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def dumps(document: Mapping[str, Any]) -> str:
    """Return ``document`` laid out as Junos lays out its JSON (4-space indentation, ``" : "``,
    arrays of objects opening on the member's line), ending with a newline."""
    return _object(document, "") + "\n"


# ------------------------------------------------------------------ operational
def _prefixed(name: str, el: etree._Element) -> str:
    qname = etree.QName(name)
    if qname.namespace is None:
        return name
    prefix = next((p for p, uri in el.nsmap.items() if uri == qname.namespace and p), None)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _attributes(el: etree._Element, parent_ns: str | None) -> dict[str, str]:
    attrs: dict[str, str] = {}
    ns = etree.QName(el).namespace
    if ns is not None and ns != parent_ns:
        attrs["xmlns"] = ns
    for name, value in el.attrib.items():
        attrs[_prefixed(str(name), el)] = str(value)
    return attrs


def _element(el: etree._Element, parent_ns: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    attrs = _attributes(el, parent_ns)
    if attrs:
        obj["attributes"] = attrs
    ns = etree.QName(el).namespace
    children = [c for c in el if isinstance(c.tag, str)]
    for comment in (c for c in el if isinstance(c, etree._Comment)):
        obj["comment"] = (comment.text or "").strip()
    if not children:
        obj["data"] = el.text if el.text is not None else [None]
        return obj
    for child in children:
        obj.setdefault(etree.QName(child).localname, []).append(_element(child, ns))
    return obj


def operational_json(elements: Iterable[etree._Element]) -> str:
    """Return the reply children ``elements`` as Junos's operational JSON document."""
    document: dict[str, Any] = {}
    for el in elements:
        document.setdefault(etree.QName(el).localname, []).append(_element(el, None))
    return dumps(document)


# ------------------------------------------------------------------ configuration
def _leaf_value(value: str) -> str | int:
    """Junos writes numeric leaves unquoted (``"port" : 830``); the tree has no types, so a
    value of digits alone is taken for a number (choice, docs/emulator-model.md)."""
    return int(value) if value.isdigit() and (value == "0" or not value.startswith("0")) \
        else value


def _node_json(node: ConfigNode) -> Any:
    if node.kind is NodeKind.LEAF:
        return _leaf_value(node.value or "")
    if node.kind is NodeKind.LEAF_LIST:
        return [_leaf_value(v) for v in node.values]
    if node.kind is NodeKind.CONTAINER and not node.children:
        return [None]
    obj: dict[str, Any] = {}
    if node.inactive:
        obj["@"] = {"inactive": True}
    if node.kind is NodeKind.ENTRY:
        obj["name"] = _leaf_value(node.key or "")
    _members(obj, node.children)
    return obj


def _members(obj: dict[str, Any], children: Iterable[ConfigNode]) -> None:
    for child in children:
        if child.kind is NodeKind.ENTRY:
            obj.setdefault(child.name, []).append(_node_json(child))
            continue
        obj[child.name] = _node_json(child)
        if child.inactive and child.kind is not NodeKind.CONTAINER:
            obj[f"@{child.name}"] = {"inactive": True}


def config_json(tree: ConfigNode, attributes: Mapping[str, str] | None = None) -> str:
    """Return ``tree`` (a ``<configuration>`` root) as Junos configuration JSON, its element
    attributes (``junos:commit-seconds`` ...) under ``"@"``."""
    body: dict[str, Any] = {}
    if attributes:
        body["@"] = dict(attributes)
    _members(body, tree.children)
    return dumps({"configuration": body})


# ------------------------------------------------------------------ reading
def _apply_attributes(el: etree._Element, attrs: Any, where: str) -> None:
    if not isinstance(attrs, Mapping):
        raise JsonConfigError(f"{where}: expected an object of attributes")
    for name, value in attrs.items():
        if ":" in str(name):
            continue  # junos:commit-seconds and friends: read-only metadata
        el.set(str(name), str(name) if value is True else str(value))


def _fill(el: etree._Element, value: Any, where: str) -> None:
    """Fill element ``el`` from the JSON ``value`` of its statement."""
    if value is None or value == [None]:
        return  # presence statement / empty leaf
    if isinstance(value, Mapping):
        _children(el, value, where)
    elif isinstance(value, bool) or isinstance(value, list):
        raise JsonConfigError(f"{where}: unexpected {json.dumps(value)}")
    else:
        el.text = str(value)


def _children(parent: etree._Element, obj: Mapping[str, Any], where: str) -> None:
    attrs = obj.get("@")
    if attrs is not None:
        _apply_attributes(parent, attrs, f"{where}/@")
    if "name" in obj:
        etree.SubElement(parent, "name").text = str(obj["name"])
    for key, value in obj.items():
        if key in ("@", "name") or key.startswith("@"):
            continue
        path = f"{where}/{key}"
        items = value if isinstance(value, list) and value != [None] else [value]
        for item in items:
            el = etree.SubElement(parent, key)
            _fill(el, item, path)
            extra = obj.get(f"@{key}")
            if extra is not None:
                _apply_attributes(el, extra, f"{path}/@")


def config_xml_from_json(text: str) -> etree._Element:
    """Return the Junos XML ``<configuration>`` a configuration JSON document stands for.

    Raises JsonConfigError for text that is not JSON or not ``{"configuration": {...}}``.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonConfigError(f"syntax error: {exc.msg} at line {exc.lineno} column "
                              f"{exc.colno}") from exc
    if not isinstance(document, Mapping) or not isinstance(document.get("configuration"),
                                                           Mapping):
        raise JsonConfigError('syntax error, expecting {"configuration" : {...}}')
    conf = etree.Element("configuration")
    _children(conf, document["configuration"], "configuration")
    return conf
