"""The curly text format: parse (``load merge terminal``), render (``show configuration``) and
``show | compare``.

Text is rendered with 4-space indentation, as Junos shows it
(samples/config.groups-re0-re1.curly.vrnetlab-vmx.conf).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.model.config_errors import ConfigSyntaxError
from emulator.model.config_syntax import (
    INDENT,
    Tok,
    Token,
    quote,
    split_chain,
    statement_chain,
    statement_head,
    tokenize,
)
from emulator.model.config_tree import (
    HINTS,
    ONELINERS,
    PREFIXED,
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

__all__ = ["ParsedText", "parse_text", "render_compare", "render_text"]

#: Statement tags of the curly format (Junos "load merge/replace" text).
_TAGS = {"inactive:", "active:", "replace:", "delete:", "protect:", "unprotect:"}


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
        self.toks = tokenize(text)
        self.pos = 0
        self.result = ParsedText(ConfigNode.root())

    def parse(self) -> ParsedText:
        """Return the parsed text.  Raises ConfigSyntaxError."""
        self._block(self.result.tree, (), None, depth=0)
        return self.result

    def _peek(self) -> Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def _next(self) -> Token:
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
            if tok == Token(Tok.PUNCT, "}"):
                if not depth:
                    raise ConfigSyntaxError("}", "syntax error")
                self.pos += 1
                return
            self._statement(node, path, grouped, self._read())

    def _read(self) -> _Statement:
        st = _Statement([], [], None, False)
        while (tok := self._peek()) and tok.kind is Tok.WORD and tok.text in _TAGS:
            st.tags.append(tok.text)
            self.pos += 1
        while True:
            tok = self._next()
            if tok.kind is not Tok.PUNCT:
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
        while (tok := self._next()).kind is not Tok.PUNCT:
            values.append(tok.text)
        if tok.text != "]":
            raise ConfigSyntaxError(tok.text, "syntax error, expecting ]")
        return values

    def _statement(
        self, node: ConfigNode, path: tuple[PathStep, ...], grouped: str | None, st: _Statement
    ) -> None:
        words = [grouped, *st.words] if grouped else st.words
        chain = statement_chain(words, st.bracket, node.name, st.block)
        last = chain[-1]
        if st.block and last.kind in (NodeKind.LEAF, NodeKind.LEAF_LIST):
            raise ConfigSyntaxError("{")
        steps, last = split_chain(chain, ())
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
    head = prefix + statement_head(node, parent)
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
    lines.append(f"{pad}{prefix}{statement_head(node, parent)} {{")
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
        sub = f"{where} {statement_head(n, new.name)}".strip()
        _diff(o, n, sub, out)


def render_compare(old: ConfigNode, new: ConfigNode) -> str:
    """Return ``show | compare``: ``[edit path]`` sections of ``-``/``+`` lines ('' if equal).

    Lines are the curly form indented one level, prefixed by ``+`` (added) or ``-`` (removed);
    a changed leaf shows both.
    """
    out: list[str] = []
    _diff(_for_display(old), _for_display(new), "", out)
    return "".join(line + "\n" for line in out)

