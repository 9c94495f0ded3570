"""The package as a user installs it: spaCy finds our components by entry point, and a built
wheel (not the editable checkout) carries its data files and the section model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

USER_PIPELINE = """
import json, sys
import spacy
nlp = spacy.blank("en")
for name in ("abstracts_sentences", "abstracts_survival", "abstracts_hazard_ratios"):
    nlp.add_pipe(name)
doc = nlp(sys.argv[1])
print(json.dumps([[s.text, s.label_, s._.attrs] for s in doc.spans["entities"]]))
"""


def test_package_components_load_by_entry_point_in_a_plain_spacy_pipeline(tmp_path):
    # a fresh interpreter outside the checkout that never imports `pipeline` itself
    text = ("Median overall survival was 20.1 months with drug A versus 15.3 months with placebo "
            "(HR 0.72; 95% CI 0.60-0.86; P<0.001).")
    out = subprocess.run([sys.executable, "-c", USER_PIPELINE, text], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    spans = json.loads(out.stdout)
    assert [(t, label) for t, label, _ in spans] == [
        ("20.1 months", "SURVIVAL"), ("15.3 months", "SURVIVAL"), ("0.72", "HAZARD_RATIO")]
    assert spans[0][2]["endpoint"] == "OS" and spans[2][2]["ci"] == [0.6, 0.86]


@pytest.mark.slow
def test_package_wheel_runs_extract_with_its_own_data_and_model(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True)
    if build.returncode != 0 and "No module named" in build.stderr:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip()[-200:]}")
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ABSTRACTS_SECTION_MODEL", None)
    where = subprocess.run(
        [sys.executable, "-c", "import pipeline, pipeline.nlp as n; print(pipeline.__file__); print(n.default_section_model())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert Path(where[0]).is_relative_to(site) and Path(where[1]).is_relative_to(site), where

    page = REPO / "corpus" / "pubmed_current"
    source = sorted(page.iterdir())[0]
    work = tmp_path / "work"
    work.mkdir()
    (work / source.name).write_bytes(source.read_bytes())
    subprocess.run([str(site / "bin" / "abstracts"), "extract", source.name, "-o", "out.jsonl", "-q"],
                   cwd=work, env=env, check=True, capture_output=True)
    from_wheel = json.loads((work / "out.jsonl").read_text(encoding="utf-8"))
    subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", source.name, "-o", "checkout.jsonl", "-q"],
                   cwd=work, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True, capture_output=True)
    from_checkout = json.loads((work / "checkout.jsonl").read_text(encoding="utf-8"))
    assert from_wheel["status"] == "ok" and from_wheel["entities"] and from_wheel["sections"]
    assert from_wheel == from_checkout
