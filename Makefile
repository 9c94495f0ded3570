# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ABSTRACTS := $(VENV)/bin/abstracts
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install run test model eval bench schema gold screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## run: extract the bundled corpus into out/records.jsonl and out/abstracts.db (SQLite); out/review.html shows them
run: install
	$(ABSTRACTS) extract corpus/ -o out/records.jsonl --db sqlite:///out/abstracts.db
	$(ABSTRACTS) review out/records.jsonl -o out/review.html

## test: the whole test suite, including the evaluation gate on gold/
test: install
	$(PY) -m pytest -q -p no:cacheprovider

## model: retrain the section model from $(SHARED)/data/pmc-rct (see docs/section-model.md)
model: install
	$(PY) scripts/train_section_model.py --data $(SHARED)/data/pmc-rct/abstracts.jsonl --folder models/section_model

## eval: full accuracy tables on the gold set (and external data when present)
eval: install
	$(PY) scripts/evaluate_gold.py --shared $(SHARED)
	$(PY) scripts/evaluate_gold.py --shared $(SHARED) --subset heldout
	$(PY) scripts/evaluate_gold.py --shared $(SHARED) --subset blind
	$(PY) scripts/evaluate_gold.py --shared $(SHARED) --subset blind2
	$(PY) scripts/evaluate_external.py --shared $(SHARED)

## bench: throughput, -j 2 speed-up, start-up and memory (out/benchmark.md, about 2 minutes)
bench: install
	$(PY) scripts/bench.py --shared $(SHARED) --output out/benchmark.md

## schema: regenerate schemas/record.schema.json from the pydantic models
schema: install
	$(ABSTRACTS) schema -o schemas/record.schema.json

## gold: rebuild gold/*.jsonl from the reconciled authoring files
gold: install
	$(PY) scripts/build_gold.py --shared $(SHARED)

## screenshots: re-take the README's pictures of the review page and evaluation report (needs chromium)
screenshots: install
	$(PY) -m pytest -q -p no:cacheprovider tests/test_output_review.py tests/test_output_report_html.py -k "in_browser_screenshot or report_page_in_browser"
	mkdir -p docs/img
	cp out/review.png out/report.png out/report-errors.png docs/img/

clean:
	rm -rf out .pytest_cache
