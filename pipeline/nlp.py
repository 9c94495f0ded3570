"""The spaCy pipeline: one place that says which components run, in which order.

    abstracts_sentences -> abstracts_sections -> abstracts_drugs -> abstracts_doses
        -> abstracts_survival -> abstracts_hazard_ratios

`build_nlp()` returns it; `nlp.analyze_pipes()` checks that each component finds what it needs.
The section model is loaded from `models/section_model` (shipped in the repository; an
installed wheel carries it as `pipeline/models/section_model`) unless another path is given; with `section_model=None` sections come from headings and paragraphs only.
"""

from __future__ import annotations

import os
from pathlib import Path

import spacy
from spacy.language import Language

import pipeline._extensions  # noqa: F401  (registers the extensions)
from pipeline.components.tokenizer import AbstractTokenizer

PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel installs the models inside the package; a checkout keeps them at the top level.
MODEL_DIRS = (PACKAGE_DIR / "models", PACKAGE_DIR.parent / "models")
# The largest page the readers accept is 20 MB (readers.ingest.MAX_PAGE_BYTES).
MAX_TEXT_CHARS = 25_000_000
PIPE_NAMES = (
    "abstracts_sentences",
    "abstracts_sections",
    "abstracts_drugs",
    "abstracts_doses",
    "abstracts_survival",
    "abstracts_hazard_ratios",
)


def default_section_model() -> Path | None:
    env = os.environ.get("ABSTRACTS_SECTION_MODEL")
    if env:
        return Path(env) if env.lower() not in {"", "none", "off"} else None
    return next((d / "section_model" for d in MODEL_DIRS if (d / "section_model").exists()), None)


def build_nlp(section_model: str | Path | None | bool = True) -> Language:
    """The extraction pipeline. section_model: True = the shipped model, None/False = none."""
    # The component modules register their factories on import.
    import pipeline.components.doses  # noqa: F401
    import pipeline.components.drugs  # noqa: F401
    import pipeline.components.hazard_ratios  # noqa: F401
    import pipeline.components.sections  # noqa: F401
    import pipeline.components.sentences  # noqa: F401
    import pipeline.components.survival  # noqa: F401

    if section_model is True:
        section_model = default_section_model()
    nlp = spacy.blank("en")
    # spaCy's 1,000,000-character guard protects a parser's memory; this pipeline has none, and
    # every stage is linear, so any page the readers accept may be tagged
    nlp.max_length = MAX_TEXT_CHARS
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    nlp.add_pipe("abstracts_sections", config={"model_path": str(section_model) if section_model else None})
    nlp.add_pipe("abstracts_drugs")
    nlp.add_pipe("abstracts_doses")
    nlp.add_pipe("abstracts_survival")
    nlp.add_pipe("abstracts_hazard_ratios")
    nlp.initialize()
    return nlp
