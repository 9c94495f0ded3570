"""The merged drug lexicon: package dictionary - exclusions + additions, data files validated."""

from __future__ import annotations

import json

import pytest

from pipeline.components.drugs import (
    DATA_DIR,
    DataFileError,
    compile_lexicon,
    is_short_abbreviation,
    load_json_strict,
    load_lexicon,
)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.mark.parametrize(
    "variant,norm",
    [("melphalan", "melphalan"), ("fluorodeoxyuridine", "floxuridine"), ("5-fu", "fluorouracil"), ("sandostatin", "octreotide"),
     ("tumor necrosis factor", "tumor necrosis factor"), ("folinic acid", "leucovorin"), ("yttrium-90", "yttrium-90")],
)
def test_lexicon_maps_variants_to_generic_names(lexicon, variant, norm):
    assert lexicon.by_lower[variant].norm == norm


@pytest.mark.parametrize("form,norm", [("FUDR", "floxuridine"), ("TNF", "tumor necrosis factor"), ("ECF", "ecf"), ("CDDP", "cisplatin")])
def test_short_forms_match_only_in_capitals(lexicon, form, norm):
    assert lexicon.by_exact[form].norm == norm
    assert form.lower() not in lexicon.by_lower


@pytest.mark.parametrize("word", ["placebo", "water", "glucose", "bilirubin", "cea", "chemotherapy", "fluorodeoxyglucose", "oxygen", "microspheres"])
def test_exclusions_are_not_in_lexicon(lexicon, word):
    assert word not in lexicon.by_lower and word.upper() not in lexicon.by_exact


def test_mesh_only_entries_are_dropped(lexicon):
    # MeSH-only canonical entries are receptors, enzymes and classes
    for word in ("calcium channels", "alkylating agents", "matrix metalloproteinases"):
        assert word not in lexicon.by_lower


@pytest.mark.parametrize("variant,short", [("fudr", True), ("tris", True), ("melphalan", False), ("5-fu", False)])
def test_is_short_abbreviation(variant, short):
    assert is_short_abbreviation(variant) is short


def test_compiled_index_holds_every_name(lexicon):
    compiled = compile_lexicon(lexicon)
    assert len(lexicon.by_lower) > 30000
    # names with the same tokens (`5-fu`, `5 - fu`) share one sequence, so a few less
    assert 0.99 * (len(lexicon.by_lower) + len(lexicon.by_exact)) <= len(compiled) <= len(lexicon.by_lower) + len(lexicon.by_exact)
    for name in ("melphalan", "tumor necrosis factor", "5-fu", "sandostatin lar"):
        assert compiled.lookup(name) == lexicon.by_lower[name]
    assert compiled.lookup("FUDR", lower=False) == lexicon.by_exact["FUDR"]
    assert compiled.lookup("fudr") is None


def test_data_files_load_strictly():
    for name in ("drug_additions.json", "drug_exclusions.json", "dose_units.json"):
        assert isinstance(load_json_strict(DATA_DIR / name), dict)


def test_duplicate_keys_are_rejected(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{"entries": [], "entries": []}', encoding="utf-8")
    with pytest.raises(DataFileError):
        load_json_strict(path)


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_unknown_keys_in_additions_are_rejected(tmp_path):
    excl = str(DATA_DIR / "drug_exclusions.json")
    bad = _write(tmp_path, "add.json", {"entries": [{"names": ["X1"], "norm": "x", "kind": "agent", "colour": "red"}], "norm_overrides": {}, "context_words": []})
    with pytest.raises(DataFileError):
        load_lexicon(bad, excl)
    bad_kind = _write(tmp_path, "add2.json", {"entries": [{"names": ["X1"], "norm": "x", "kind": "class"}], "norm_overrides": {}, "context_words": []})
    with pytest.raises(DataFileError):
        load_lexicon(bad_kind, excl)


def test_exclusion_records_need_a_reason(tmp_path):
    add = str(DATA_DIR / "drug_additions.json")
    data = load_json_strict(DATA_DIR / "drug_exclusions.json")
    data["variants"].append({"text": "aspirin"})
    with pytest.raises(DataFileError):
        load_lexicon(add, _write(tmp_path, "excl.json", data))


def test_additions_reach_the_lexicon(tmp_path):
    excl = str(DATA_DIR / "drug_exclusions.json")
    add = _write(tmp_path, "add.json", {"entries": [{"names": ["Zorblamab"], "norm": "zorblamab", "kind": "agent"}], "norm_overrides": {}, "context_words": []})
    assert load_lexicon(add, excl).by_lower["zorblamab"].norm == "zorblamab"
