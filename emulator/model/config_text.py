"""The curly text format: parse (``load merge terminal``), render (``show configuration``) and
``show | compare``.

Text is rendered with 4-space indentation, as Junos shows it
(samples/config.groups-re0-re1.curly.vrnetlab-vmx.conf), statements in schema order.  A load
reports each statement the schema refuses and keeps the others; a refused statement that opens
a block is skipped up to its ``}`` ("error recovery ignores input until this point"), as Junos
25.4 does for ``load merge terminal``.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

from emulator.model.config_errors import ConfigSyntaxError, LoadProblem
from emulator.model.config_syntax import (
    INDENT,
    Mode,
    Tok,
    Token,
    Word,
    edit_path,
    quote,
    spell,
    statement_head,
    tokenize,
)
from emulator.model.config_tree import (
    ConfigNode,
    Edit,
    EditAction,
    NodeKind,
    PathStep,
    find,
    merge_into,
    schema_at,
)
from emulator.model.schema import ROOT, Kind, Statement, child_of

__all__ = ["ParsedText", "parse_text", "render_at", "render_compare", "render_text", "select"]

#: Statement tags of the curly format (Junos "load merge/replace" text).
_TAGS = {"inactive:", "active:", "replace:", "delete:", "protect:", "unprotect:"}

RECOVERY = "error recovery ignores input until this point"


# ------------------------------------------------------------------ curly text
@dataclass(slots=True)
class ParsedText:
    """A parsed curly-text load: the tree, the edits its tags ask for (in order) and the
    statements the schema refused (a load applies the rest)."""

    tree: ConfigNode
    edits: list[Edit] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


@dataclass(slots=True)
class _Statement:
    tags: list[str]
    words: list[Token]
    bracket: list[str] | None
    block: bool
    opener: Token | None = None

    def text(self) -> str:
        """Return the statement as Junos quotes it in a load report: ``'metric 65450;'``."""
        body = " ".join(quote(w.text) for w in self.words)
        if self.bracket is not None:
            body += " [ " + " ".join(self.bracket) + " ]"
        return f"'{body}{' {' if self.block else ';'}'"


class _TextParser:
    """Recursive-descent parser of the curly format; ``parse()`` returns a ParsedText."""

    def __init__(self, text: str) -> None:
        self.toks = tokenize(text)
        self.pos = 0
        self.result = ParsedText(ConfigNode.root())

    def parse(self) -> ParsedText:
        """Return the parsed text.  Raises ConfigSyntaxError for text that is not the curly
        format at all (braces that do not balance, a missing ``;``)."""
        self._block(self.result.tree, (), ROOT, None, depth=0)
        return self.result

    def _peek(self) -> Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def _next(self) -> Token:
        tok = self._peek()
        if tok is None:
            raise ConfigSyntaxError("<EOF>", "syntax error, expecting ; or }")
        self.pos += 1
        return tok

    def _block(self, node: ConfigNode, path: tuple[PathStep, ...], at: Statement,
               grouped: str | None, depth: int) -> None:
        while True:
            tok = self._peek()
            if tok is None:
                if depth:
                    raise ConfigSyntaxError("<EOF>", "syntax error, expecting }")
                return
            if tok.kind is Tok.PUNCT and tok.text == "}":
                if not depth:
                    raise ConfigSyntaxError("}", column=tok.column, line=tok.line,
                                            end=tok.end)
                self.pos += 1
                return
            st = self._read()
            try:
                self._statement(node, path, at, grouped, st)
            except ConfigSyntaxError as exc:
                self._refused(path, st, exc)

    def _refused(self, path: tuple[PathStep, ...], st: _Statement,
                 exc: ConfigSyntaxError) -> None:
        where = edit_path(path)
        self.result.problems.append(LoadProblem(exc, where, st.text()))
        if st.block:
            closer = self._skip_block()
            self.result.problems.append(LoadProblem(
                ConfigSyntaxError("}", RECOVERY, column=closer.column, line=closer.line,
                                  end=closer.end), where, "'}'"))

    def _skip_block(self) -> Token:
        depth = 1
        while True:
            tok = self._next()
            if tok.kind is Tok.PUNCT and tok.text in "{}":
                depth += 1 if tok.text == "{" else -1
                if not depth:
                    return tok

    def _read(self) -> _Statement:
        st = _Statement([], [], None, False)
        while (tok := self._peek()) and tok.kind is Tok.WORD and tok.text in _TAGS:
            st.tags.append(tok.text)
            self.pos += 1
        while True:
            tok = self._next()
            if tok.kind is not Tok.PUNCT:
                st.words.append(tok)
            elif tok.text == "[" and st.bracket is None:
                st.bracket = self._bracket()
            elif tok.text in ";{" and st.words:
                st.block, st.opener = tok.text == "{", tok
                return st
            else:
                raise ConfigSyntaxError(tok.text, column=tok.column, line=tok.line,
                                        end=tok.end)

    def _bracket(self) -> list[str]:
        values: list[str] = []
        while (tok := self._next()).kind is not Tok.PUNCT:
            values.append(tok.text)
        if tok.text != "]":
            raise ConfigSyntaxError(tok.text, "syntax error, expecting ]")
        return values

    def _statement(self, node: ConfigNode, path: tuple[PathStep, ...], at: Statement,
                   grouped: str | None, st: _Statement) -> None:
        words = [Word(t.text, t.column, t.line, t.end) for t in st.words]
        if grouped:
            words.insert(0, Word(grouped))
        me = child_of(at, words[0].text)
        if st.block and len(words) == 1 and me is not None and me.grouped:
            # "groups { re0 {...} }": the entries' keys are the statements of the block.
            self._block(node, path, at, me.name, depth=1)
            return
        mode = Mode.PATTERN if "delete:" in st.tags else Mode.SET
        spelled = spell(words, at, mode=mode, bracket=st.bracket)
        last = spelled.tip
        if st.block and (spelled.tip_schema.takes_value or not spelled.tip_schema.has_children):
            assert st.opener is not None
            raise ConfigSyntaxError("{", column=st.opener.column, line=st.opener.line,
                                    end=st.opener.end)
        if "delete:" in st.tags:
            self.result.edits.append(Edit(EditAction.DELETE, path + spelled.path, last))
            if st.block:
                self._skip_block()  # parsed as a pattern: its contents do not matter
            return
        self._attach(node, path, spelled.path, last, st)

    def _attach(self, node: ConfigNode, path: tuple[PathStep, ...],
                steps: tuple[PathStep, ...], last: ConfigNode, st: _Statement) -> None:
        last.inactive = "inactive:" in st.tags
        parent = find(node, steps, create=True, at=_schema(path))
        assert parent is not None  # create=True always returns a node
        parent_schema = _schema(path + steps)
        merge_into(parent, last, parent_schema)
        target = find(parent, (PathStep(last.name, last.key),), create=False)
        assert target is not None  # merge_into just added or merged it
        here = path + steps + (PathStep(last.name, last.key),)
        if st.block:
            self._block(target, here, _schema(here) or ROOT, None, 1)
        if "active:" in st.tags:
            self.result.edits.append(Edit(EditAction.ACTIVATE, path + steps, last))
        if "replace:" in st.tags:
            self.result.edits.append(Edit(EditAction.REPLACE, path + steps, target.copy()))


_schema = schema_at


def parse_text(text: str) -> ParsedText:
    """Parse the curly format (``show configuration``, ``load merge terminal``).

    Comments (``#``, ``/* */``) are skipped; ``inactive:`` marks a statement inactive;
    ``replace:``, ``delete:`` and ``active:`` become edits; statements the schema refuses are
    in ``problems`` (the rest is parsed).  Raises ConfigSyntaxError for text that is not the
    curly format.
    """
    return _TextParser(text).parse()


# ------------------------------------------------------------------ curly rendering
def _for_display(node: ConfigNode, at: Statement | None) -> ConfigNode:
    """Return ``node`` with the entries of each grouped list (``groups``, ``name-server``,
    ``clients``...) gathered under one block named after the list, where the first was."""
    lists = {c.name for c in node.children if c.kind is NodeKind.ENTRY
             and (me := child_of(at, c.name)) is not None and me.grouped}
    if not lists:
        return node
    out = ConfigNode(node.name, node.kind, node.key, node.value, list(node.values))
    out.inactive = node.inactive
    for c in node.children:
        if c.name not in lists:
            out.children.append(c)
        elif (block := out.child(c.name)) is not None and block.kind is NodeKind.CONTAINER:
            block.children.append(c)
        else:
            out.children.append(ConfigNode.container(c.name, [c]))
    return out


@functools.cache
def _bare(me: Statement) -> Statement:
    """Return a parent schema under which the entries of grouped list ``me`` are named by
    their key alone (``re0 {`` inside ``groups {``, ``10.0.0.53;`` inside ``name-server``)."""
    return Statement("", Kind.CONTAINER, children=(dataclasses.replace(me, keyword=False),))


def _hidden_leaf(node: ConfigNode, parent: Statement | None) -> bool:
    me = child_of(parent, node.name)
    return me is not None and not me.keyword and node.kind is not NodeKind.ENTRY


def _inline(node: ConfigNode, parent: Statement | None, prefix: str = "") -> str | None:
    """Return the one-line form of ``node`` without its ``;``, or None if it needs a block."""
    me = child_of(parent, node.name)
    head = prefix + statement_head(node, parent)
    if node.kind is NodeKind.LEAF:
        value = quote(node.value or "")
        return value if _hidden_leaf(node, parent) else f"{head} {value}"
    if node.kind is NodeKind.LEAF_LIST:
        if len(node.values) == 1:
            return f"{head} {quote(node.values[0])}"
        return f"{head} [ {' '.join(quote(v) for v in node.values)} ]"
    if not node.children:
        return head
    if me is None or not me.oneliner or any(c.inactive or c.children for c in node.children):
        return None
    if len(node.children) > 1 and not any(_hidden_leaf(c, me) for c in node.children):
        return None
    parts = [_inline(c, me) for c in node.children]
    if any(p is None for p in parts):
        return None
    return " ".join([head, *(p for p in parts if p is not None)])


def _text_lines(node: ConfigNode, parent: Statement | None, depth: int, lines: list[str],
                prefix: str = "") -> None:
    me = child_of(parent, node.name)
    pad = INDENT * depth + ("inactive: " if node.inactive else "")
    if me is not None and me.merged and node.children and not node.inactive:
        for c in node.children:  # "family inet {": the container is named on each child
            _text_lines(c, me, depth, lines, f"{prefix}{node.name} ")
        return
    grouped = me is not None and me.grouped and node.kind is NodeKind.CONTAINER
    if not grouped:
        node = _for_display(node, me)
    one = None if grouped else _inline(node, parent, prefix)
    if one is not None:
        lines.append(f"{pad}{one};")
        return
    lines.append(f"{pad}{prefix}{statement_head(node, parent)} {{")
    for c in node.children:
        # The block of a grouped list: each entry by its key (``groups { re0 {...} }``).
        _text_lines(c, _bare(me) if grouped and me is not None else me, depth + 1, lines)
    lines.append(INDENT * depth + "}")


def render_text(root: ConfigNode, at: Statement | None = ROOT) -> str:
    """Return the curly format of the children of ``root`` (``show configuration``),
    newline-terminated; ``at`` is the schema of ``root`` (the top level by default)."""
    lines: list[str] = []
    for c in _for_display(root, at).children:
        _text_lines(c, at, 0, lines)
    return "".join(line + "\n" for line in lines)


def _hits(root: ConfigNode, path: tuple[PathStep, ...], pattern: ConfigNode
          ) -> list[ConfigNode]:
    parent = find(root, path, create=False)
    if parent is None:
        return []
    return [c for c in parent.children
            if c.name == pattern.name and (pattern.key is None or c.key == pattern.key)]


def select(root: ConfigNode, path: tuple[PathStep, ...], pattern: ConfigNode) -> ConfigNode:
    """Return a copy of ``root`` holding only what ``pattern`` names at ``path`` (and its
    ancestors): the configuration ``show configuration chassis redundancy | display xml``
    shows."""
    out = ConfigNode.root()
    hits = _hits(root, path, pattern)
    if hits:
        holder = find(out, path, create=True)
        assert holder is not None  # create=True always returns a node
        holder.children = [h.copy() for h in hits]
    return out


def render_at(root: ConfigNode, path: tuple[PathStep, ...], pattern: ConfigNode) -> str:
    """Return ``show <statement>``: a container or a keyed entry shows its contents
    (``show chassis`` -> ``redundancy {``); a leaf or leaf-list shows its own line (``show
    apply-groups`` -> ``apply-groups [ re0 re1 ];``, chapter "Use the Groups Configuration");
    a list named without a key shows every entry (``show groups`` -> ``re0 {...} re1
    {...}``, the chapter's ``[edit groups]`` sample).  Returns '' when nothing is there."""
    hits = _hits(root, path, pattern)
    at = schema_at(path)
    if len(hits) == 1 and hits[0].kind in (NodeKind.CONTAINER, NodeKind.ENTRY) \
            and (pattern.key is not None or hits[0].kind is NodeKind.CONTAINER):
        return render_text(hits[0], child_of(at, hits[0].name))
    lines: list[str] = []
    me = child_of(at, pattern.name)
    bare = me is not None and me.grouped and pattern.key is None
    for h in hits:  # "show groups": the entries as inside the groups block
        _text_lines(h, _bare(me) if bare and me is not None else at, 0, lines)
    return "".join(line + "\n" for line in lines)


# ------------------------------------------------------------------ show | compare
def _render_lines(node: ConfigNode, parent: Statement | None) -> list[str]:
    lines: list[str] = []
    if parent is not None and parent.top_after_key:
        parent = ROOT
    _text_lines(node, parent, 0, lines)
    return lines


def _same_stmt(a: ConfigNode, b: ConfigNode) -> bool:
    return a.name == b.name and a.key == b.key and (a.kind is NodeKind.ENTRY) is (
        b.kind is NodeKind.ENTRY
    )


def _equal_here(a: ConfigNode, b: ConfigNode) -> bool:
    """Return True if ``a`` and ``b`` differ only inside their children (or not at all)."""
    return (a.kind, a.value, a.values, a.inactive) == (b.kind, b.value, b.values, b.inactive)


def _indent(depth: int) -> str:
    """Return the blanks after Junos's ``+``/``-`` marker for a statement ``depth`` levels
    below ``[edit]``: two at the top and first level (``[edit system]`` / ``-  host-name
    R1;``, real MX and EX captures), two more every second level (``[edit protocols ospf]``
    / ``+    topology default;``, ``[edit protocols ospf area 0.0.0.0 interface
    ge-0/0/0.0]`` / ``+      ...``, Junos 25.4); nested lines add four per level."""
    return " " * (2 * (depth // 2 + 1))


def _diff(old: ConfigNode, new: ConfigNode, where: list[str], at: Statement | None,
          out: list[str]) -> None:
    """Append the ``[edit ...]`` sections that turn ``old`` into ``new`` to ``out``."""
    here: list[str] = []
    nested: list[tuple[ConfigNode, ConfigNode]] = []
    pad = _indent(len(where))
    for o in old.children:
        if not any(_same_stmt(o, n) for n in new.children):
            here += ["-" + pad + s for s in _render_lines(o, at)]
    for n in new.children:
        o2 = next((o for o in old.children if _same_stmt(o, n)), None)
        if o2 is None:
            here += ["+" + pad + s for s in _render_lines(n, at)]
        elif o2.inactive != n.inactive and _reactivated(o2, n):
            here.append("!" + pad + _headline(n, at))
        elif not _equal_here(o2, n) or o2 != n and (_inline(o2, at) is not None
                                                    and _inline(n, at) is not None):
            here += ["-" + pad + s for s in _render_lines(o2, at)]
            here += ["+" + pad + s for s in _render_lines(n, at)]
        elif o2 != n:
            nested.append((o2, n))
    if here:
        out.append("[edit" + "".join(" " + w for w in where) + "]")
        out += here
    for o, n in nested:
        _diff(o, n, [*where, statement_head(n, at)], child_of(at, n.name), out)


def _reactivated(old: ConfigNode, new: ConfigNode) -> bool:
    """Return True if ``old`` and ``new`` differ only in being inactive."""
    flipped = old.copy()
    flipped.inactive = new.inactive
    return flipped == new


def _headline(node: ConfigNode, at: Statement | None) -> str:
    """Return the first line of ``node``'s text, a block closed as ``{ ... }`` (Junos's
    ``!`` line for a statement (de)activated: ``!    inactive: host-name r1;``)."""
    first = _render_lines(node, at)[0]
    return first + " ... }" if first.endswith("{") else first


def render_compare(old: ConfigNode, new: ConfigNode) -> str:
    """Return ``show | compare``: ``[edit path]`` sections of ``-``/``+`` lines ('' if equal).

    Lines are the curly form prefixed by ``+`` (added) or ``-`` (removed) and Junos's indent;
    a changed leaf shows both; a statement only (de)activated is one ``!`` line.
    """
    out: list[str] = []
    _diff(old, new, [], ROOT, out)
    return "".join(line + "\n" for line in out)
