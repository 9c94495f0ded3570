"""`abstracts evaluate --html`: the evaluation report page, its chart and error rows, and the page in a browser.

The corpus report's screenshots go to out/report.png and out/report-errors.png
(`make screenshots` copies them to docs/img/ for the README).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.evaluation.scorer import evaluate
from pipeline.output.page import csp_hash
from pipeline.output.report_html import error_docs, prf_chart, render_report_html

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "out"

TEXT = "Patients received cisplatin 75 mg/m2 <script>window.__pwned=1</script> and a median OS of 12.5 months (HR 0.71)."


def _at(text: str, label: str, **attrs) -> dict:
    start = TEXT.index(text)
    return {"label": label, "start": start, "end": start + len(text), "text": text, "attrs": attrs}


GOLD = {"doc": "file:x.txt", "source": {"path": "x.txt"},
        "entities": [_at("cisplatin", "DRUG", norm="cisplatin"), _at("75 mg/m2", "DOSE", value=75, unit="mg/m2"),
                     _at("12.5 months", "SURVIVAL", endpoint="OS", measure="median", value=12.5, unit="months"),
                     _at("0.71", "HAZARD_RATIO", value=0.71)]}
PRED = {"id": "x", "source": {"path": "x.txt", "index": 0}, "status": "ok",
        "entities": [_at("cisplatin", "DRUG", norm="cisplatin"), _at("75 mg", "DOSE", value=75, unit="mg"),
                     _at("12.5 months", "SURVIVAL", endpoint="PFS", measure="median", value=12.5, unit="months"),
                     _at("window", "DRUG", norm="window")]}


def small_report():
    return evaluate([GOLD], [PRED], source_texts={"file:x.txt": TEXT})


def test_output_report_error_rows_put_gold_and_prediction_side_by_side():
    rows = {r["kind"]: r for r in error_docs(small_report())[0]["rows"]}
    assert set(rows) == {"miss", "false_hit", "boundary", "attribute"}
    assert rows["miss"]["gold"]["ctx"][1] == "0.71" and rows["miss"]["pred"] is None
    assert rows["false_hit"]["gold"] is None and rows["false_hit"]["pred"]["ctx"][1] == "window"
    boundary = rows["boundary"]
    assert boundary["gold"]["ctx"][1] == "75 mg/m2" and boundary["pred"]["ctx"][1] == "75 mg"
    assert "".join(boundary["gold"]["ctx"]) == "".join(boundary["pred"]["ctx"])  # the same context, two marks
    assert rows["attribute"]["gold"]["value"] == "endpoint: 'OS'" and rows["attribute"]["pred"]["value"] == "endpoint: 'PFS'"
    assert rows["attribute"]["gold"]["ctx"] == rows["attribute"]["pred"]["ctx"]


def test_output_report_unparsed_detail_is_kept_as_note():
    from pipeline.output.report_html import error_row

    class Item:
        kind, label, start, end, text, context, detail = "abstract", None, None, None, None, None, "gold has no abstract; predicted [3:9]"

    row = error_row(Item())
    assert row["note"] == "gold has no abstract; predicted [3:9]" and row["gold"] is None


@pytest.mark.parametrize("value, height", [(1.0, 200), (0.5, 100), (0.0, 0), (None, 0)])
def test_output_report_chart_bar_height_is_the_score(value, height):
    prf = SimpleNamespace(tp=1, fp=0, fn=0, precision=value, recall=value, f1=value)
    chart = prf_chart({"DRUG": prf, "micro": prf}, ["DRUG", "DOSE"], height=200)
    assert [g["label"] for g in chart["groups"]] == ["DRUG", "micro"]  # labels without scores are left out
    bars = chart["groups"][0]["bars"]
    assert [b["metric"] for b in bars] == ["P", "R", "F1"]
    assert all(b["h"] == height and b["y"] == chart["base"] - height for b in bars)
    assert bars[2]["text"] == ("n/a" if value is None else f"{value:.2f}")


def test_output_report_page_escapes_and_allows_only_its_own_script():
    html = render_report_html(small_report())
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert html.lower().count("<script") == 1
    csp = re.search(r'content="(default-src[^"]+)"', html)[1].replace("&#39;", "'")
    script = re.search(r"<script>(.*?)</script>", html, re.S)[1]
    assert f"script-src {csp_hash(script)};" in csp and "unsafe-inline" not in csp
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)


def test_output_report_cli_writes_html(tmp_path):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text(json.dumps({**GOLD, "doc": "x"}) + "\n", encoding="utf-8")
    pred.write_text(json.dumps(PRED) + "\n", encoding="utf-8")
    out = tmp_path / "report" / "report.html"
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert "HTML report ->" in result.output and "micro" in result.output  # the terminal tables are still printed
    html = out.read_text(encoding="utf-8")
    assert 'id="prf-chart"' in html and html.count('class="error-row') == 4


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def corpus_report(corpus_records):
    gold = [json.loads(line) for line in (REPO / "gold" / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return evaluate(gold, corpus_records)


@pytest.mark.browser
def test_output_report_page_in_browser(chromium, corpus_report):
    path = OUT / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report_html(corpus_report, inputs=["gold: gold/corpus.jsonl", "predicted: out/records.jsonl"]),
                    encoding="utf-8")
    page = chromium.open(path.resolve().as_uri(), width=1280, height=560)
    try:
        page.wait_for("document.body.dataset.ready === '1'")
        groups = [lab for lab in corpus_report.labels if lab in corpus_report.entities.strict] + ["micro"]
        assert page.js("document.querySelectorAll('#prf-chart rect.bar').length") == 3 * len(groups)
        micro_f1 = f"{corpus_report.entities.strict['micro'].f1:.2f}"
        assert page.js("document.querySelector('#prf-chart g[data-label=micro] rect[data-metric=F1]').dataset.value") == micro_f1
        shot = page.screenshot(OUT / "report.png")
        items = [i for d in corpus_report.errors for i in d.items]
        kinds = Counter(i.kind for i in items)
        assert page.js("document.querySelectorAll('tr.error-row').length") == len(items)
        for kind, n in kinds.items():
            page.select("#e-kind", kind)
            assert page.js("document.getElementById('e-count').dataset.shown") == str(n), kind
            assert page.js(f"[...document.querySelectorAll('tr.error-row')].filter(r => !r.hidden).every(r => r.dataset.kind === '{kind}')")
        page.select("#e-kind", "")
        # documents with attribute, metadata, miss and section rows
        page.js("document.querySelector('details.doc[data-doc*=meeting_abstract_rad_p53]').scrollIntoView()")
        page.js("window.scrollBy(0, -70)")
        page.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
        errors_shot = page.screenshot(OUT / "report-errors.png")
        assert page.exceptions() == [] and page.console_errors() == []
    finally:
        page.close()
    assert shot.stat().st_size < 300_000 and errors_shot.stat().st_size < 300_000
