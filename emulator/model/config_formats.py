"""The configuration formats: set commands, curly text, Junos XML; and ``show | compare``.

Loading produces a tree and/or a list of :class:`~emulator.model.config_tree.Edit`; showing
renders a tree.  The shape rules (what is a leaf, a keyed list, ...) are in ``config_tree``.
Text is rendered with 4-space indentation, as Junos shows it
(samples/config.groups-re0-re1.curly.vrnetlab-vmx.conf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from emulator.model.config_errors import ConfigSyntaxError
from emulator.model.config_tree import (
    HIDDEN_ENTRY,
    HINTS,
    ONELINERS,
    PREFIXED,
    WRAPPER_EXCEPTIONS,
    ConfigNode,
    Edit,
    EditAction,
    Hint,
    NodeKind,
    PathStep,
    find,
    hint_for,
    merge_into,
)

__all__ = [
    "INDENT",
    "ParsedText",
    "parse_set",
    "parse_text",
    "parse_xml",
    "quote",
    "render_compare",
    "render_set",
    "render_text",
    "render_xml",
]

#: Junos indents ``show configuration`` by four spaces per level.
INDENT = "    "

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<block>/\*.*?\*/)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<punct>[{};\[\]])
  | (?P<word>[^\s{};\[\]"]+)
    """,
    re.VERBOSE | re.DOTALL,
)

_SAFE = re.compile(r"""[^\s"'{};\[\]#$\\]+""")

#: Statement tags of the curly format (Junos "load merge/replace" text).
_TAGS = {"inactive:", "active:", "replace:", "delete:", "protect:", "unprotect:"}


class _Tok(Enum):
    WORD = "word"
    QUOTED = "quoted"
    PUNCT = "punct"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Tok
    text: str


def quote(value: str) -> str:
    """Return ``value`` as a Junos text token: quoted when it holds blanks or specials."""
    if _SAFE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def _tokenize(text: str) -> list[_Token]:
    """Split ``text`` into tokens, dropping blanks and comments.

    Raises ConfigSyntaxError on an unterminated string or comment.
    """
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConfigSyntaxError(text[pos : pos + 20].split()[0], "syntax error")
        pos = m.end()
        kind = m.lastgroup
        if kind == "quoted":
            out.append(_Token(_Tok.QUOTED, _unquote(m.group())))
        elif kind == "punct":
            out.append(_Token(_Tok.PUNCT, m.group()))
        elif kind == "word":
            out.append(_Token(_Tok.WORD, m.group()))
    return out


# ------------------------------------------------------------------ statement -> nodes
def _wrapped_entry(parent: str | None, word: str) -> ConfigNode | None:
    """Return the hidden list entry ``word`` names inside a wrapper, or None."""
    hidden = HIDDEN_ENTRY.get(parent or "")
    if hidden is None or word in WRAPPER_EXCEPTIONS:
        return None
    return ConfigNode.entry(hidden, word)


def _one(words: list[str], i: int, parent: str | None, block: bool) -> tuple[ConfigNode, int]:
    """Return the node the word at ``i`` starts and the index after it (the default rule)."""
    w, rest = words[i], len(words) - i - 1
    hint = hint_for(parent, w)
    if hint is Hint.LEAF_LIST and rest:
        return ConfigNode.leaf_list(w, words[i + 1 :]), len(words)
    if hint in (Hint.KEYED, Hint.GROUPED) and rest:
        return ConfigNode.entry(w, words[i + 1]), i + 2
    if hint is None and rest == 1:
        # A statement with one value is a leaf, unless a block follows: then it is keyed.
        if block:
            return ConfigNode.entry(w, words[i + 1]), i + 2
        return ConfigNode.leaf(w, words[i + 1]), i + 2
    return ConfigNode.container(w), i + 1


def _chain(
    words: list[str], bracket: list[str] | None, parent: str | None, block: bool
) -> list[ConfigNode]:
    """Return the nodes a statement's words spell, outermost first (each holds the next)."""
    nodes: list[ConfigNode] = []
    i = 0
    while i < len(words):
        node = _wrapped_entry(parent, words[i])
        if node is not None:
            i += 1
        elif bracket is not None and i == len(words) - 1:
            node, i = ConfigNode.leaf_list(words[i], bracket), i + 1
        else:
            node, i = _one(words, i, parent, block)
        nodes.append(node)
        parent = node.name
    return nodes


def _split(chain: list[ConfigNode], base: tuple[PathStep, ...]) -> tuple[tuple[PathStep, ...],
                                                                           ConfigNode]:
    """Return (path to the last node's parent, last node) of a chain."""
    return base + tuple(PathStep(n.name, n.key) for n in chain[:-1]), chain[-1]


# ------------------------------------------------------------------ curly text
@dataclass(slots=True)
class ParsedText:
    """A parsed curly-text load: the tree, plus the edits its tags ask for (in order)."""

    tree: ConfigNode
    edits: list[Edit] = field(default_factory=list)


@dataclass(slots=True)
class _Statement:
    tags: list[str]
    words: list[str]
    bracket: list[str] | None
    block: bool


class _TextParser:
    """Recursive-descent parser of the curly format; ``parse()`` returns a ParsedText."""

    def __init__(self, text: str) -> None:
        self.toks = _tokenize(text)
        self.pos = 0
        self.result = ParsedText(ConfigNode.root())

    def parse(self) -> ParsedText:
        """Return the parsed text.  Raises ConfigSyntaxError."""
        self._block(self.result.tree, (), None, depth=0)
        return self.result

    def _peek(self) -> _Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def _next(self) -> _Token:
        tok = self._peek()
        if tok is None:
            raise ConfigSyntaxError("<EOF>", "syntax error, expecting ; or }")
        self.pos += 1
        return tok

    def _block(
        self, node: ConfigNode, path: tuple[PathStep, ...], grouped: str | None, depth: int
    ) -> None:
        while True:
            tok = self._peek()
            if tok is None:
                if depth:
                    raise ConfigSyntaxError("<EOF>", "syntax error, expecting }")
                return
            if tok == _Token(_Tok.PUNCT, "}"):
                if not depth:
                    raise ConfigSyntaxError("}", "syntax error")
                self.pos += 1
                return
            self._statement(node, path, grouped, self._read())

    def _read(self) -> _Statement:
        st = _Statement([], [], None, False)
        while (tok := self._peek()) and tok.kind is _Tok.WORD and tok.text in _TAGS:
            st.tags.append(tok.text)
            self.pos += 1
        while True:
            tok = self._next()
            if tok.kind is not _Tok.PUNCT:
                st.words.append(tok.text)
            elif tok.text == "[" and st.bracket is None:
                st.bracket = self._bracket()
            elif tok.text in ";{" and st.words:
                st.block = tok.text == "{"
                return st
            else:
                raise ConfigSyntaxError(tok.text)

    def _bracket(self) -> list[str]:
        values: list[str] = []
        while (tok := self._next()).kind is not _Tok.PUNCT:
            values.append(tok.text)
        if tok.text != "]":
            raise ConfigSyntaxError(tok.text, "syntax error, expecting ]")
        return values

    def _statement(
        self, node: ConfigNode, path: tuple[PathStep, ...], grouped: str | None, st: _Statement
    ) -> None:
        words = [grouped, *st.words] if grouped else st.words
        chain = _chain(words, st.bracket, node.name, st.block)
        last = chain[-1]
        if st.block and last.kind in (NodeKind.LEAF, NodeKind.LEAF_LIST):
            raise ConfigSyntaxError("{")
        steps, last = _split(chain, ())
        if st.block and hint_for(node.name, last.name) is Hint.GROUPED and last.key is None:
            # "groups { re0 {...} }": the entries' keys are the statements of the block.
            self._block(node, path, last.name, depth=1)
            return
        if "delete:" in st.tags:
            self.result.edits.append(Edit(EditAction.DELETE, path + steps, last))
            if st.block:
                self._block(ConfigNode.root(), (), None, depth=1)  # parsed, then dropped
            return
        self._attach(node, path, steps, last, st)

    def _attach(
        self,
        node: ConfigNode,
        path: tuple[PathStep, ...],
        steps: tuple[PathStep, ...],
        last: ConfigNode,
        st: _Statement,
    ) -> None:
        last.inactive = "inactive:" in st.tags
        parent = find(node, steps, create=True)
        assert parent is not None  # create=True always returns a node
        merge_into(parent, last)
        target = find(parent, (PathStep(last.name, last.key),), create=False)
        assert target is not None  # merge_into just added or merged it
        if st.block:
            self._block(target, path + steps + (PathStep(last.name, last.key),), None, 1)
        if "active:" in st.tags:
            self.result.edits.append(Edit(EditAction.ACTIVATE, path + steps, last))
        if "replace:" in st.tags:
            self.result.edits.append(Edit(EditAction.REPLACE, path + steps, target.copy()))


def parse_text(text: str) -> ParsedText:
    """Parse the curly format (``show configuration``, ``load merge terminal``).

    Comments (``#``, ``/* */``) are skipped; ``inactive:`` marks a statement inactive;
    ``replace:``, ``delete:`` and ``active:`` become edits.  Raises ConfigSyntaxError.
    """
    return _TextParser(text).parse()


# ------------------------------------------------------------------ set commands
_SET_VERBS = {
    "set": EditAction.MERGE,
    "delete": EditAction.DELETE,
    "activate": EditAction.ACTIVATE,
    "deactivate": EditAction.DEACTIVATE,
}


def _set_words(line: str) -> tuple[list[str], list[str] | None]:
    """Return the words of a set command and its bracketed values (or None)."""
    words: list[str] = []
    bracket: list[str] | None = None
    toks = iter(_tokenize(line))
    for tok in toks:
        if tok.kind is not _Tok.PUNCT:
            words.append(tok.text)
        elif tok.text == "[" and bracket is None:
            bracket = []
            for t in toks:
                if t.kind is _Tok.PUNCT:
                    break
                bracket.append(t.text)
            else:
                raise ConfigSyntaxError("[", "syntax error, expecting ]")
        else:
            raise ConfigSyntaxError(tok.text)
    return words, bracket


def _set_edit(verb: str, words: list[str], bracket: list[str] | None) -> Edit:
    action = _SET_VERBS.get(verb)
    if action is None:
        raise ConfigSyntaxError(verb, f"syntax error, unknown command: {verb}")
    if not words:
        raise ConfigSyntaxError(verb, "syntax error, expecting <statement>")
    steps, last = _split(_chain(words, bracket, None, False), ())
    return Edit(action, steps, last)


def parse_set(text: str) -> list[Edit]:
    """Parse ``set``/``delete``/``activate``/``deactivate`` lines (``load set``).

    ``edit <path>``, ``up`` and ``top`` move the hierarchy later commands are relative to, as
    in configuration mode.  Blank lines and ``#`` comments are skipped.
    Raises ConfigSyntaxError naming the bad word.
    """
    edits: list[Edit] = []
    at: list[str] = []
    for raw in text.splitlines():
        words, bracket = _set_words(raw)
        if not words:
            continue
        verb, rest = words[0], words[1:]
        if verb in ("edit", "top", "up"):
            at = _move(at, verb, rest)
            continue
        edits.append(_set_edit(verb, at + rest, bracket))
    return edits


def _move(at: list[str], verb: str, rest: list[str]) -> list[str]:
    if verb == "edit":
        return at + rest
    if verb == "top":
        return []
    levels = int(rest[0]) if rest and rest[0].isdigit() else 1
    # "up" leaves one statement; a keyed statement counts its key too (approximation).
    return at[: max(0, len(at) - levels)]


def _head(node: ConfigNode, parent: str | None) -> str:
    """Return how a statement is named in text: ``unit 0``, ``fxp0``, ``host-name``."""
    if node.kind is not NodeKind.ENTRY:
        return node.name
    assert node.key is not None  # an ENTRY always has a key
    hidden = HIDDEN_ENTRY.get(parent or "") == node.name
    grouped = node.name == parent and HINTS.get(node.name) is Hint.GROUPED
    return quote(node.key) if hidden or grouped else f"{node.name} {quote(node.key)}"


def render_set(root: ConfigNode) -> list[str]:
    """Return ``show configuration | display set``: one command per line, in tree order."""
    lines: list[str] = []
    for c in root.children:
        _set_lines(c, root.name, "", lines)
    return lines


def _set_lines(node: ConfigNode, parent: str, prefix: str, lines: list[str]) -> None:
    here = f"{prefix}{_head(node, parent)}"
    if node.kind is NodeKind.LEAF:
        lines.append(f"set {here} {quote(node.value or '')}")
    elif node.kind is NodeKind.LEAF_LIST:
        lines += [f"set {here} {quote(v)}" for v in node.values]
    elif not node.children:
        lines.append(f"set {here}")
    for c in node.children:
        _set_lines(c, node.name, here + " ", lines)
    if node.inactive:
        lines.append(f"deactivate {here}")


# ------------------------------------------------------------------ curly rendering
def _for_display(root: ConfigNode) -> ConfigNode:
    """Return ``root`` with its ``groups`` entries gathered under one ``groups`` block."""
    groups = [c for c in root.children if c.kind is NodeKind.ENTRY and c.name == "groups"]
    out = ConfigNode(root.name, root.kind, root.key)
    # Junos's schema puts groups first and apply-groups next; the body follows in tree order.
    out.children = [ConfigNode.container("groups", groups)] if groups else []
    out.children += [c for c in root.children if c.name in ("apply-groups",
                                                            "apply-groups-except")]
    out.children += [c for c in root.children if c.name not in ("groups", "apply-groups",
                                                                "apply-groups-except")]
    return out


def _line(node: ConfigNode, parent: str | None, prefix: str = "") -> str | None:
    """Return the one-line form of ``node`` (``name value;``), or None if it needs a block."""
    head = prefix + _head(node, parent)
    if node.kind is NodeKind.LEAF:
        return f"{head} {quote(node.value or '')};"
    if node.kind is NodeKind.LEAF_LIST:
        if len(node.values) == 1 and HINTS.get(node.name) is Hint.LEAF_LIST:
            return f"{head} {quote(node.values[0])};"
        return f"{head} [ {' '.join(quote(v) for v in node.values)} ];"
    if not node.children:
        return f"{head};"
    if node.name in ONELINERS and len(node.children) == 1 and not node.children[0].inactive:
        inner = _line(node.children[0], node.name)
        if inner is not None and not node.children[0].children:
            return f"{head} {inner}"
    return None


def _text_lines(
    node: ConfigNode, parent: str | None, depth: int, lines: list[str], prefix: str = ""
) -> None:
    pad = INDENT * depth + ("inactive: " if node.inactive else "")
    if node.name in PREFIXED and node.kind is NodeKind.CONTAINER and node.children \
            and not node.inactive:
        for c in node.children:  # "family inet {": the container is named on each child
            _text_lines(c, node.name, depth, lines, f"{prefix}{node.name} ")
        return
    one = _line(node, parent, prefix)
    if one is not None:
        lines.append(pad + one)
        return
    lines.append(f"{pad}{prefix}{_head(node, parent)} {{")
    for c in node.children:
        _text_lines(c, node.name, depth + 1, lines)
    lines.append(INDENT * depth + "}")


def render_text(root: ConfigNode) -> str:
    """Return the curly format of ``root`` (``show configuration``), newline-terminated."""
    lines: list[str] = []
    for c in _for_display(root).children:
        _text_lines(c, root.name, 0, lines)
    return "".join(line + "\n" for line in lines)


# ------------------------------------------------------------------ show | compare
def _render_lines(node: ConfigNode, parent: str | None, depth: int) -> list[str]:
    lines: list[str] = []
    _text_lines(node, parent, depth, lines)
    return lines


def _same_stmt(a: ConfigNode, b: ConfigNode) -> bool:
    return a.name == b.name and a.key == b.key and (a.kind is NodeKind.ENTRY) is (
        b.kind is NodeKind.ENTRY
    )


def _equal_here(a: ConfigNode, b: ConfigNode) -> bool:
    """Return True if ``a`` and ``b`` differ only inside their children (or not at all)."""
    return (a.kind, a.value, a.values, a.inactive) == (b.kind, b.value, b.values, b.inactive)


def _oneliners(a: ConfigNode, b: ConfigNode, parent: str) -> bool:
    return _line(a, parent) is not None and _line(b, parent) is not None


def _diff(old: ConfigNode, new: ConfigNode, where: str, out: list[str]) -> None:
    """Append the ``[edit ...]`` sections that turn ``old`` into ``new`` to ``out``."""
    here: list[str] = []
    nested: list[tuple[ConfigNode, ConfigNode]] = []
    for o in old.children:
        if not any(_same_stmt(o, n) for n in new.children):
            here += ["-" + s for s in _render_lines(o, old.name, 1)]
    for n in new.children:
        o2 = next((o for o in old.children if _same_stmt(o, n)), None)
        if o2 is None:
            here += ["+" + s for s in _render_lines(n, new.name, 1)]
        elif not _equal_here(o2, n) or o2 != n and _oneliners(o2, n, new.name):
            here += ["-" + s for s in _render_lines(o2, old.name, 1)]
            here += ["+" + s for s in _render_lines(n, new.name, 1)]
        elif o2 != n:
            nested.append((o2, n))
    if here:
        out.append(f"[edit{' ' + where if where else ''}]")
        out += here
    for o, n in nested:
        sub = f"{where} {_head(n, new.name)}".strip()
        _diff(o, n, sub, out)


def render_compare(old: ConfigNode, new: ConfigNode) -> str:
    """Return ``show | compare``: ``[edit path]`` sections of ``-``/``+`` lines ('' if equal).

    Lines are the curly form indented one level, prefixed by ``+`` (added) or ``-`` (removed);
    a changed leaf shows both.
    """
    out: list[str] = []
    _diff(_for_display(old), _for_display(new), "", out)
    return "".join(line + "\n" for line in out)


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
