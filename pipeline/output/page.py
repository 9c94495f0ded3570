"""Shared pieces of the static HTML pages: the Jinja environment, inlined assets, safe JSON.

Every page is one self-contained file: CSS and JS come from `templates/` and are inlined,
data travels as JSON in a `<script type="application/json">` block, and a
Content-Security-Policy allows only the page's own inline script and style (by hash), so
nothing is fetched from the network and no markup that slipped into the data could run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

# displaCy's default palette (spaCy's displacy ENT colours), one per entity label.
LABEL_COLOURS: dict[str, str] = {
    "DRUG": "#7aecec",
    "DOSE": "#feca74",
    "SURVIVAL": "#aa9cfc",
    "HAZARD_RATIO": "#ff9561",
}
SECTION_COLOURS: dict[str, str] = {
    "BACKGROUND": "#9cc9cc",
    "OBJECTIVE": "#bfe1d9",
    "METHODS": "#c887fb",
    "RESULTS": "#ffd24d",
    "CONCLUSIONS": "#ff8197",
    "UNASSIGNED": "#cfd3b8",
}
FALLBACK_COLOUR = "#dddddd"

# Characters that must not appear raw inside a <script> block: `</script>` and `<!--`
# would end or confuse the block; U+2028/U+2029 are line ends to old JS parsers.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> Markup:
    """`data` as JSON text that is safe inside `<script type="application/json">`.

    Only string contents can hold `<`, `>` or `&` in JSON, and there the \\uXXXX escapes
    mean the same characters, so `JSON.parse` gives back exactly `data`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return Markup(text)


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    """A CSS or JS file from templates/, to be inlined (it must not close its own element)."""
    text = resources.files("pipeline.output").joinpath("templates", name).read_text(encoding="utf-8")
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered:
        raise ValueError(f"{name} must not contain a closing script/style tag")
    return text


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline script or style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src {csp_hash(script)}; "
        f"style-src {csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Jinja with autoescaping on for every template: all text from records is escaped."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.output", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, *, css: list[str], js: list[str], **context: Any) -> str:
    """Render `template` with the named CSS and JS assets inlined and the CSP set for them.

    `label_css` (entity and section colour classes) is appended to the CSS here so that the
    hash covers exactly the text that is inlined."""
    style = "\n".join(asset(n) for n in css) + "\n" + colour_css()
    script = "\n".join(asset(n) for n in js)
    return environment().get_template(template).render(
        style=Markup(style), script=Markup(script), csp=content_security_policy(script, style), **context
    )


def colour_css() -> str:
    lines = [f".ent-{label}{{background:{colour}}}" for label, colour in LABEL_COLOURS.items()]
    lines += [f".sec-{label}{{border-left-color:{colour}}} .chip.chip-{label}{{background:{colour}}}"
              for label, colour in SECTION_COLOURS.items()]
    return "\n".join(lines) + "\n"
