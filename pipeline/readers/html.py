"""HTML pages to source text (lxml), before the text cleaning stage.

The source text of an HTML input is what `html_to_text` returns: visible text with block
elements (p, div, li, h1-h6, tr, ...) separated by blank lines, `<br>` as a line break, runs
of ASCII white space inside a block folded to one space (Unicode spaces such as NBSP kept),
script/style/template/svg content dropped. A short bold/strong/heading element that opens a
block ends with a line break, so an abstract heading rendered as `<b>Background</b>` sits on
its own line. `<meta name="citation_*">`, Dublin Core and OpenGraph tags are returned as
metadata hints; they are page metadata, never body text.
"""

from __future__ import annotations

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
        return HtmlText("")
    meta = _collect_meta(root)
    out = _Writer()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    return HtmlText(out.result(), meta)
