"""HTML pages to source text (lxml), before the text cleaning stage.

The source text of an HTML input is what `html_to_text` returns: visible text with block
elements (p, div, li, h1-h6, tr, ...) separated by blank lines, `<br>` as a line break, runs
of ASCII white space inside a block folded to one space (Unicode spaces such as NBSP kept),
script/style/template/svg content dropped. A short bold/strong/heading element that opens a
block ends with a line break, so an abstract heading rendered as `<b>Background</b>` sits on
its own line. `<meta name="citation_*">`, Dublin Core and OpenGraph tags are returned as
metadata hints; they are page metadata, never body text.

libxml2 builds no tree deeper than 256 elements (and refuses other oversized structures):
past that limit it keeps nothing of the page. Such a page is read again by a streaming
reader (the standard library's `html.parser`, no depth limit) that applies the same block,
line-break, drop and heading rules without a tree, and the result carries a warning.
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

DROP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "object", "canvas", "math"})
BLOCK_TAGS = frozenset(
    "p div section article main header footer nav aside h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table thead tbody "
    "tfoot tr td th form fieldset figure figcaption blockquote pre address hr title body html details summary "
    "label legend caption".split()
)
HEADING_LIKE = frozenset({"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "dt"})
_WS = re.compile(r"[ \t\r\n\f\v]+")


@dataclass
class HtmlText:
    text: str
    meta: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _collect_meta(root) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        content = el.get("content")
        if name and content and content.strip():
            meta.setdefault(name, []).append(" ".join(content.split()))
    titles = [t.text_content().strip() for t in root.iter("title")]
    if titles and titles[0]:
        meta.setdefault("html_title", []).append(titles[0])
    for h1 in root.iter("h1"):  # the page's main heading: the article title on article pages
        text = " ".join(h1.text_content().split())
        if text:
            meta.setdefault("html_h1", []).append(text)
            break
    return meta


class _Writer:
    """Accumulates text with block separators; separators collapse to the strongest one."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = ""  # "", "\n" or "\n\n"

    def text(self, s: str) -> None:
        s = _WS.sub(" ", s)
        if self.pending or not self.parts or self.parts[-1].endswith(("\n", " ")):
            s = s.lstrip(" ")
        if not s:
            return
        if self.pending:
            if self.parts:
                self.parts.append(self.pending)
            self.pending = ""
        self.parts.append(s)

    def brk(self, sep: str) -> None:
        if self.parts:
            while self.parts and self.parts[-1].endswith(" "):
                self.parts[-1] = self.parts[-1].rstrip(" ")
                if not self.parts[-1]:
                    self.parts.pop()
            if len(sep) > len(self.pending):
                self.pending = sep

    def result(self) -> str:
        return "".join(self.parts).strip()


def _walk(el, out: _Writer) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None:  # comments, processing instructions
        if el.tail:
            out.text(el.tail)
        return
    tag = tag.lower()
    if tag in DROP_TAGS:
        if el.tail:
            out.text(el.tail)
        return
    block = tag in BLOCK_TAGS
    if block:
        out.brk("\n\n")
    if tag == "br":
        out.brk("\n")
    if el.text:
        out.text(el.text)
    for child in el:
        _walk(child, out)
    if tag in HEADING_LIKE and not block:
        label = el.text_content().strip()
        if 0 < len(label) <= 60 and _opens_block(el):
            out.brk("\n")
    if block:
        out.brk("\n\n")
    if el.tail:
        out.text(el.tail)


def _opens_block(el) -> bool:
    """True when nothing but white space precedes `el` inside its parent block."""
    parent = el.getparent()
    if parent is None:
        return False
    if parent.text and parent.text.strip():
        return False
    for sib in parent:
        if sib is el:
            return True
        if sib.text_content().strip() or (sib.tail and sib.tail.strip()):
            return False
    return True


def html_to_text(html: str) -> HtmlText:
    """Visible text of an HTML page laid out in blocks, plus its metadata tags."""
    if not html.strip():
        return HtmlText("")
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, recover=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    limit = next((e for e in parser.error_log if e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT), None)
    if limit is not None:
        return stream_html_to_text(html, warning=(
            f"the HTML parser gave up on this page ({limit.message.split(',')[0].strip()}); "
            "text read by the streaming fallback, block layout approximate"))
    if root is None:
        return HtmlText("")
    meta = _collect_meta(root)
    out = _Writer()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    return HtmlText(out.result(), meta)


class _StreamingText(html.parser.HTMLParser):
    """`_walk`'s rules on a stream of tags, for pages libxml2 will not build a tree of."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _Writer()
        self.meta: dict[str, list[str]] = {}
        self.dropping: list[str] = []  # open elements whose content is not text
        self.open_heads: list[tuple[str, bool, int]] = []  # (tag, opened its block, text length at start)
        self.chars = 0  # visible characters written so far
        self.title: list[str] | None = None
        self.h1: list[str] | None = None
        self.h1_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = dict(attrs)
            name = (values.get("name") or values.get("property") or "").strip().lower()
            content = values.get("content")
            if name and content and content.strip():
                self.meta.setdefault(name, []).append(" ".join(content.split()))
            return
        if tag == "body" and self.dropping == ["head"]:  # a missing </head>
            self.dropping = []
        if tag == "title" and self.title is None:
            self.title = []
        if tag == "h1" and not self.h1_done and self.h1 is None:
            self.h1 = []
        if self.dropping or tag in DROP_TAGS:
            if tag in DROP_TAGS:
                self.dropping.append(tag)
            return
        if tag in BLOCK_TAGS:
            self.out.brk("\n\n")
        if tag == "br":
            self.out.brk("\n")
        if tag in HEADING_LIKE and tag not in BLOCK_TAGS:
            parts = self.out.parts
            opens = bool(self.out.pending) or not parts or parts[-1].endswith("\n")
            self.open_heads.append((tag, opens, self.chars))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "meta"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None and "html_title" not in self.meta:
            title = "".join(self.title).strip()
            if title:
                self.meta["html_title"] = [title]
        if tag == "h1" and self.h1 is not None and not self.h1_done:
            text = " ".join("".join(self.h1).split())
            if text:
                self.meta.setdefault("html_h1", []).append(text)
                self.h1_done = True
            self.h1 = None
        if self.dropping:
            if tag in self.dropping:
                del self.dropping[len(self.dropping) - 1 - self.dropping[::-1].index(tag):]
            return
        if tag in HEADING_LIKE and tag not in BLOCK_TAGS:
            for i in range(len(self.open_heads) - 1, -1, -1):
                if self.open_heads[i][0] == tag:
                    _, opens, start = self.open_heads[i]
                    del self.open_heads[i:]
                    if opens and 0 < self.chars - start <= 60:
                        self.out.brk("\n")
                    break
        if tag in BLOCK_TAGS:
            self.out.brk("\n\n")

    def handle_data(self, data: str) -> None:
        if self.title is not None and "html_title" not in self.meta:
            self.title.append(data)
        if self.h1 is not None:
            self.h1.append(data)
        if self.dropping:
            return
        self.chars += len(data.strip())
        self.out.text(data)


def stream_html_to_text(html_text: str, warning: str | None = None) -> HtmlText:
    """`html_to_text` without a tree: for pages nested too deep for libxml2 (no depth limit)."""
    reader = _StreamingText()
    reader.feed(html_text)
    reader.close()
    return HtmlText(reader.out.result(), reader.meta, [warning] if warning else [])
