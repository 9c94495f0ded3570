"""`abstracts review`: the review page, its data and layout helpers, and the page in a real browser.

Browser tests drive headless Chromium (tests/headless.py); they skip, with the reason, when
it cannot start. The corpus page's screenshot goes to out/review.png (`make screenshots`
copies it to docs/img/ for the README).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.output.page import csp_hash, script_json
from pipeline.output.review import compact_record, layout_bands, nest_spans, place_in_title, render_review, write_review

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "out"
PWN = "<script>window.__pwned=1</script>"


def _record(rid: str, status: str = "ok", **fields) -> dict:
    record = {"schema_version": "1.0", "id": rid, "status": status,
              "source": {"path": f"in/{rid}.txt", "sha256": "ab" * 32, "format": "text", "index": 0},
              "metadata": {}, "abstract": None, "sections": [], "entities": [], "warnings": []}
    record.update(fields)
    return record


def hostile_records() -> list[dict]:
    """Markup in every place a record can carry text: title, abstract, heading, entity
    attributes, error message, warnings, id."""
    text = f"BACKGROUND: {PWN} Patients got cisplatin 75 mg/m2.</script><!-- <b>x</b>"
    start = 100
    drug = text.index("cisplatin")
    return [
        _record("11111111", metadata={"title": f"Cisplatin {PWN} trial", "pmid": "11111111", "journal": "<i>J</i>"},
                abstract={"text": text, "start": start, "end": start + len(text)},
                sections=[{"label": "BACKGROUND", "heading": f"<img src=x onerror=window.__pwned=2>", "start": start + 12,
                           "end": start + len(text), "source": "heading"}],
                entities=[
                    {"label": "DRUG", "start": 40, "end": 49, "text": "Cisplatin", "section": "TITLE", "attrs": {"norm": "cisplatin"}},
                    {"label": "DRUG", "start": start + drug, "end": start + drug + 9, "text": "cisplatin", "section": "BACKGROUND",
                     "attrs": {"norm": PWN}},
                ]),
        _record(f"bad{PWN}", "error", error={"type": "BinaryInput", "message": f"the file is binary {PWN}"},
                metadata={}),
        _record("22222222", "no_abstract", metadata={"title": "A letter", "pmid": "22222222"},
                warnings=["no abstract found on the page"]),
        # nested and crossing entities: each is still drawn once
        _record("33333333", metadata={"title": "Overlaps"},
                abstract={"text": OVERLAPS, "start": 0, "end": len(OVERLAPS)},
                entities=[{"label": "DOSE", "start": 18, "end": 36, "text": OVERLAPS[18:36], "attrs": {}},
                          {"label": "DRUG", "start": 18, "end": 27, "text": "cisplatin", "attrs": {"norm": "cisplatin"}},
                          {"label": "SURVIVAL", "start": 28, "end": 41, "text": OVERLAPS[28:41], "attrs": {}}]),
    ]


OVERLAPS = "Patients received cisplatin 75 mg/m2 plus 5-FU daily."


# --------------------------------------------------------------------------- helpers (pure)


def test_output_script_json_cannot_close_its_script_block():
    data = {"t": "</script><script>alert(1)</script>", "c": "<!-- x -->", "l": "a\u2028b\u2029c", "amp": "&lt;"}
    text = str(script_json(data))
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == data


@pytest.mark.parametrize(
    "spans, expected",
    [
        ([(0, 10), (2, 4)], [(0, 10), (2, 4)]),  # nested
        ([(0, 5), (5, 9)], [(0, 5), (5, 9)]),  # touching
        ([(0, 10), (5, 15)], [(0, 10), (10, 15)]),  # crossing: the later one starts where the first ends
        ([(0, 10), (2, 8), (6, 12)], [(0, 10), (2, 8), (10, 12)]),
    ],
    ids=["nested", "touching", "crossing", "crossing-two"],
)
def test_output_review_nest_spans(spans, expected):
    assert nest_spans(spans) == expected


@pytest.mark.parametrize(
    "sections, cuts, expected",
    [
        ([], [], [[None, None, 0, 50]]),
        # heading text before a section joins it; the tail joins the last band
        ([("METHODS", "Methods", 9, 20), ("RESULTS", "Results", 30, 45)], [],
         [["METHODS", "Methods", 0, 20], ["RESULTS", "Results", 20, 50]]),
        # an entity across a section edge keeps the edge out of it
        ([("METHODS", None, 0, 20), ("RESULTS", None, 20, 50)], [(18, 24)],
         [["METHODS", None, 0, 24], ["RESULTS", None, 24, 50]]),
    ],
    ids=["no-sections", "headings-and-tail", "entity-across-edge"],
)
def test_output_review_layout_bands(sections, cuts, expected):
    assert layout_bands(50, sections, cuts) == expected


def test_output_review_title_entities_found_in_title():
    title = "Gemcitabine plus cisplatin versus gemcitabine alone"
    ents = [{"text": "Gemcitabine", "start": 100}, {"text": "cisplatin", "start": 117}, {"text": "gemcitabine", "start": 134},
            {"text": "not there", "start": 140}]
    assert place_in_title(title, ents) == [(0, 11), (17, 26), (34, 45), None]


def test_output_review_compact_records_keep_every_entity(corpus_records):
    labels, sections = ["DRUG", "DOSE", "SURVIVAL", "HAZARD_RATIO"], ["TITLE"]
    for record in corpus_records:
        row = compact_record(record, labels, sections)
        drawn = len(row.get("e", [])) + len(row.get("te", [])) + len(row.get("oe", []))
        assert drawn == len(record["entities"]), record["id"]
        assert "oe" not in row, (record["id"], row.get("ot"))  # every title entity is placed in the title
        for label, start, end, *_ in row.get("e", []):
            assert 0 <= start < end <= len(row["x"])


# --------------------------------------------------------------------------- the HTML (static checks)


def test_output_review_page_escapes_record_text():
    html = render_review(hostile_records())
    assert "__pwned=1</script>" not in html and "<img" not in html and "<b>x</b>" not in html
    assert html.lower().count("<script") == 2  # the JSON data block and the page's own script
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # the problems list, escaped by the template


def test_output_review_page_is_self_contained_and_its_csp_covers_only_its_own_code():
    html = render_review(hostile_records())
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1].replace("&#39;", "'")
    script = re.search(r"<script>(.*?)</script>", html, re.S)[1]
    style = re.search(r"<style>(.*?)</style>", html, re.S)[1]
    assert f"script-src {csp_hash(script)};" in csp and f"style-src {csp_hash(style)};" in csp
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_output_review_cli_writes_page_and_reports_unreadable_lines(tmp_path):
    src = tmp_path / "records.jsonl"
    lines = [json.dumps(r) for r in hostile_records()] + ['{"id": "cut off']
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "site" / "review.html"
    result = CliRunner().invoke(main, ["review", str(src), "-o", str(out), "--source-root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "4 records, 1 unreadable lines" in result.output
    html = out.read_text(encoding="utf-8")
    assert "line 5: not JSON" in html
    data = json.loads(re.search(r'id="review-data">(.*?)</script>', html, re.S)[1])
    assert data["records"][0]["src"]["href"] == "../in/11111111.txt" and data["records"][0]["src"]["miss"] == 1


# --------------------------------------------------------------------------- in the browser

COUNT_MARKS = "document.querySelectorAll('#records mark.ent').length"
COUNT_CARDS = "document.querySelectorAll('#records article.record').length"


def _open(chromium, path: Path, fragment: str = "", width: int = 1280, height: int = 900, timeout: float = 60):
    page = chromium.open(path.resolve().as_uri() + fragment, width=width, height=height, timeout=timeout)
    page.wait_for("document.body.dataset.ready === '1'", timeout=timeout)
    return page


@pytest.mark.browser
def test_output_review_page_in_browser_marks_filters_and_search(chromium, corpus_records, tmp_path):
    path = tmp_path / "review.html"
    path.write_text(render_review(corpus_records, title="out/records.jsonl"), encoding="utf-8")
    total = sum(len(r["entities"]) for r in corpus_records)
    by_label = Counter(e["label"] for r in corpus_records for e in r["entities"])
    page = _open(chromium, path, "#size=100")
    try:
        assert page.js(COUNT_CARDS) == len(corpus_records)
        assert page.js(COUNT_MARKS) == total  # every entity of every record is drawn once
        for label, n in by_label.items():
            page.select("#f-label", label)
            assert page.js(COUNT_MARKS) == n, label
            assert page.js(f"[...document.querySelectorAll('#records mark.ent')].every(m => m.dataset.label === '{label}')")
        page.select("#f-label", "")
        in_results = sum(1 for r in corpus_records for e in r["entities"] if e["section"] == "RESULTS")
        page.select("#f-section", "RESULTS")
        assert page.js(COUNT_MARKS) == in_results
        assert page.js("[...document.querySelectorAll('#records .band')].every(b => b.dataset.section === 'RESULTS')")
        page.select("#f-section", "")
        page.select("#f-status", "no_abstract")
        assert page.js(COUNT_CARDS) == sum(r["status"] == "no_abstract" for r in corpus_records)
        assert "no abstract found on the page" in page.js("document.getElementById('records').textContent")
        page.select("#f-status", "")
        # search: a PMID finds its record; a drug finds the records that mention it
        page.type_into("#f-q", "28744652")
        page.wait_for(f"{COUNT_CARDS} === 1")
        assert page.js("document.querySelector('#records article').dataset.id") == "28744652"
        page.js("document.getElementById('f-q').value = ''")
        page.type_into("#f-q", "sorafenib")
        with_drug = sum(any(e["label"] == "DRUG" and "sorafenib" in (e["text"].lower(), e["attrs"].get("norm", ""))
                            for e in r["entities"]) for r in corpus_records)
        page.wait_for(f"document.getElementById('summary').dataset.matched === '{with_drug}'")
        assert page.js("document.querySelectorAll('#records mark.ent.hit').length") >= with_drug
        # attributes: in the tooltip, and in the details panel on click
        assert "norm: sorafenib" in page.js("document.querySelector('#records mark.ent.hit').title")
        page.click("#records mark.ent.hit")
        assert page.js("!document.getElementById('details').hidden")
        assert "sorafenib" in page.js("document.getElementById('details').textContent")
        assert page.exceptions() == [] and page.console_errors() == []
    finally:
        page.close()


@pytest.mark.browser
def test_output_review_page_in_browser_screenshot(chromium, corpus_records, tmp_path):
    """What `make run` writes for the corpus, as a reader first sees it (one entity clicked)."""
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus_records), encoding="utf-8")
    path = OUT / "review.html"
    write_review(jsonl, path)
    page = _open(chromium, path, width=1280, height=900)
    try:
        page.js("document.getElementById('problems').open = false")
        page.click("#records article:first-of-type .band mark.ent[data-label=SURVIVAL]")
        page.js("window.scrollTo(0, 0)")
        shot = page.screenshot(OUT / "review.png")
    finally:
        page.close()
    assert shot.stat().st_size < 300_000


@pytest.mark.browser
def test_output_review_page_in_browser_shows_markup_as_text(chromium, tmp_path):
    path = tmp_path / "review.html"
    path.write_text(render_review(hostile_records()), encoding="utf-8")
    page = _open(chromium, path)
    try:
        assert page.js("typeof window.__pwned") == "undefined"
        assert page.js("document.scripts.length") == 2
        assert page.js("document.querySelectorAll('img').length") == 0
        assert page.js("[...document.querySelectorAll('b, i')].every(e => !['x', 'J'].includes(e.textContent))")
        text = page.js("document.getElementById('records').textContent")
        assert PWN in text and "</script><!-- <b>x</b>" in text
        assert page.js("document.querySelectorAll('#records mark.ent').length") == sum(len(r["entities"]) for r in hostile_records())
        overlaps = "document.querySelector('article[data-id=\"33333333\"]')"
        assert page.js(f"{overlaps}.querySelector('mark[data-label=DOSE] > mark[data-label=DRUG]').textContent") == "cisplatin"
        crossing = page.js(f"(m => [m.textContent, m.title])({overlaps}.querySelector('mark[data-label=SURVIVAL]'))")
        assert crossing[0] == " plus" and crossing[1].startswith("SURVIVAL  75 mg/m2 plus")
        assert PWN in page.js("document.querySelector('#records mark.ent[data-label=DRUG]:not(h3 mark)').title")
        page.select("#f-status", "error")
        assert page.js(COUNT_CARDS) == 1
        assert page.js("document.querySelector('#records .error-message').textContent") == f"BinaryInput: the file is binary {PWN}"
        # the problems list links to the record: the hash search finds it
        page.click("#problems a.show-record")
        page.wait_for(f"{COUNT_CARDS} === 1 && document.getElementById('f-q').value === 'bad{PWN}'")
        assert page.js("document.getElementById('f-status').value") == ""
        assert page.js("typeof window.__pwned") == "undefined"
        assert page.exceptions() == []
    finally:
        page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_output_review_page_in_browser_10k_records(chromium, corpus_records, tmp_path):
    """10,000 records (corpus records copied under new ids): a sane file that opens in seconds."""
    records = []
    for i in range(10_000):
        record = copy.deepcopy(corpus_records[i % len(corpus_records)])
        record["id"] = record["metadata"]["pmid"] = f"9{i:07d}"
        records.append(record)
    jsonl = tmp_path / "10k.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    started = time.perf_counter()
    summary = write_review(jsonl, tmp_path / "10k.html")
    build_seconds = time.perf_counter() - started
    size = (tmp_path / "10k.html").stat().st_size
    assert summary.records == 10_000 and build_seconds < 60
    assert size < jsonl.stat().st_size  # the page is smaller than the JSONL it shows
    started = time.perf_counter()
    page = _open(chromium, tmp_path / "10k.html", timeout=120)
    load_seconds = time.perf_counter() - started
    try:
        assert load_seconds < 30, load_seconds
        assert page.js("document.getElementById('summary').dataset.matched") == "10000"
        first_page = sum(len(r["entities"]) for r in records[:25])
        assert page.js(COUNT_CARDS) == 25 and page.js(COUNT_MARKS) == first_page
        page.click("#pager button[name=last]")
        page.wait_for("document.querySelector('#records article:last-of-type').dataset.id === '90009999'")
        page.type_into("#f-q", "90004321")
        page.wait_for(f"{COUNT_CARDS} === 1")
        assert page.js("document.querySelector('#records article').dataset.id") == "90004321"
        assert page.exceptions() == []
    finally:
        page.close()
    print(f"10k records: page {size / 1e6:.1f} MB (JSONL {jsonl.stat().st_size / 1e6:.1f} MB), "
          f"built in {build_seconds:.1f}s, opened in {load_seconds:.1f}s")
