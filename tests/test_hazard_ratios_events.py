"""Which hazard ratios are HAZARD_RATIO: death and survival endpoints, not other events.

docs/annotation-guidelines.md: a hazard ratio for death or one of the nine survival
endpoints is labelled; one for a non-fatal event (stroke, bleeding, admission, infection,
incidence) or a composite of death with non-fatal events is not. Cases written for this test.
"""

from __future__ import annotations

import pytest

from pipeline.components.hazard_ratios import find_hazard_ratios

CASES = [
    ("Overall survival was longer with the combination (HR 0.70; 95% CI 0.55-0.89).", {"0.70": "OS"}),
    ("Risk factors for death were age (HR 1.5, 95% CI 1.2-1.9) and stage (HR 2.1, 95% CI 1.4-3.0).",
     {"1.5": None, "2.1": None}),
    ("All-cause mortality was reduced (HR 0.88, 95% CI 0.79-0.99).", {"0.88": "OS"}),
    ("Cardiovascular death was less frequent (HR 0.77, 95% CI 0.60-0.98).", {"0.77": None}),
    ("The hazard ratio for stroke was 0.80 (95% CI 0.61-1.05).", {}),
    ("Major bleeding was more common with the new agent (HR 1.31, 95% CI 1.10-1.56).", {}),
    ("The composite of death or myocardial infarction occurred less often (HR 0.84, 95% CI 0.72-0.98).", {}),
    ("Hospitalisation for heart failure fell (hazard ratio 0.74; 95% CI 0.65-0.85).", {}),
    ("Stroke occurred in 4% of patients. In the second cohort the hazard ratio was 0.62 (0.40-0.95).", {}),
    ("Progression-free survival improved (HR 0.61, 95% CI 0.48-0.77); grade 3 infections occurred in 9%.",
     {"0.61": "PFS"}),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_hazard_ratios_only_for_death_and_survival_endpoints(text, expected):
    found = {h.text: h.attrs.get("endpoint") for h in find_hazard_ratios(text)}
    assert found == expected
