"""Which cue governs which survival value, and the attributes of each figure.

`_assign` decides for every value of a sentence whether it is a survival figure and which
cue phrase governs it; `_block_figures` turns a run of values with one cue into figures
(coordinated endpoints and `respectively` lists distribute them, arm and group names are
read around them); `_alive_figures` reads `... of patients were alive at 5 years`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from pipeline.components.stat_patterns import NUM, WORD_NUM, _rx
from pipeline.components.survival_terms import Cue
from pipeline.components.survival_values import _coordinated, _Item, _Sentence

_OF_PATIENTS_RE = regex.compile(
    r"\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?of\s+(?:the\s+|all\s+|these\s+|those\s+|our\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:patients|cases|subjects|participants|tumou?rs|lesions|men|women|children|population|total|cohort|controls|group|arm|evaluable|individuals|deaths|events|responses|responders|recipients|eyes|procedures)\b",
    regex.IGNORECASE,
)
_POST_NONRATE_RE = regex.compile(
    r"\s*(?:\([^()]*\)\s*)?(?i:reduction|decrease|decline|increase|improvement|lower|higher|more|less|likely|fold|times|risk|chance|probability of (?:response|toxicity)|had|experienced|developed|achieved|showed|responded|of\s+the)\b"
)
_PRE_DIFFERENCE_RE = regex.compile(
    r"(?i:benefit|gain|improvement|difference|prolongation|extension|increase|reduction|advantage|delay|prolonged|extended|improved|increased|reduced)"
    r"\s+(?:(?:of|by|was|was only|in \w+ of)\s+)?(?:about\s+|approximately\s+|nearly\s+)?$"
    r"|(?i:occur(?:s|red)?|observed|seen|found|noted|reported|detected|developed)\s+in\s+(?:up to\s+|about\s+|only\s+)?$"
    r"|(?i:difference|benefit|gain|improvement)\s*(?:between\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:groups|arms|cohorts)\s+)?(?:(?:of|was|by)\s+|[=:,]\s*)?(?:about\s+|approximately\s+)?$"
    r"|(?<![\w-])(?i:by)\s+(?:(?i:about|approximately|nearly|only|an?\s+absolute|absolute)\s+)?$"  # `increased 10-year survival by 5.4%`
)
# `the absolute benefit in 5-year survival was 5.3%`: a change in the endpoint is named, so
# a lone value it governs is the size of the change, not a survival figure (values written
# `from 40% to 44%` or `72% vs 65%` after it still are)
_DIFFERENCE_OF_CUE_RE = regex.compile(
    r"(?i:difference|benefit|gain|improvement|increase|advantage|reduction|prolongation|extension)\s+(?i:in|of|for)\s+"
    r"(?:(?i:the|median|mean|overall)\s+){0,2}(?:[\w-]+\s+)?$"
)
_FROM_TO_BEFORE_RE = regex.compile(r"(?<![\w-])(?i:from|to)\s+$")
# what may stand between such an endpoint and the size of the change (`... OS of 8%`, `...
# survival at 5 years was 5.3%`); a bracket after the endpoint holds the figures themselves
_DIFFERENCE_GAP_RE = regex.compile(
    r"(?:\s+(?i:at|after)\s+\d+\s*(?i:years?|months?))?\s*(?:(?i:was|were|is|of|amounted\s+to|reached)\s*)?(?:[:=,]\s*)?"
    r"(?:(?i:about|approximately|nearly|only)\s+)?"
)
# `at baseline, 3 months, and `: a list of time points before a value. Its numbers take no
# decimal comma: `1,5` is then read as two numbers, which accepts the same texts (the comma
# separates items anyway) without the exponential choices of `1,1,1,...`
_TIME_LIST_PRE_RE = regex.compile(
    r"(?<![\w-])(?i:at|after|before|until|by|from|between)\s+(?:(?i:baseline|randomi[sz]ation|discharge|enrol(?:l)?ment|diagnosis|surgery)|\d+(?:[.·]\d+)?(?:\s*[A-Za-z]+)?)"
    r"(?:\s*,\s*(?:and\s+)?\d+(?:[.·]\d+)?(?:\s*[A-Za-z]+)?)*\s*(?:,\s*)?(?:(?i:and|or|to|until)\s+|,\s*)$"
)
_TIME_POINT_POST_RE = regex.compile(
    r"\s+(?i:after|post|following|since|before|prior\s+to|from\s+(?:the\s+)?(?:start|randomi[sz]ation|diagnosis|enrol)|to\s+\d+(?:[.,·]\d+)?\s*(?:years?|months?|weeks?|days?))\b"
)
_CUE_TIME_POINT_RE = regex.compile(r"(?:\s*\([^()]{1,12}\))?\s+(?i:to|until|at|beyond|up\s+to|through)\s+")
_GROUP_BEFORE_RE = regex.compile(
    r"(?<![\w-])(?i:for|in|among)\s+(?:the\s+)?(?P<g>[^,;:()\[\]\d][^,;:()\[\]]{1,50}?)\s+(?i:was|were|is|are)\s*(?:(?i:about|approximately|only)\s+)?$"
)
_ALIVE_RE = regex.compile(
    r"(?<![\w-])(?:were|was|are|is|remained|remain)\s+(?:still\s+)?alive"
    r"(?:\s+and\s+(?P<free>disease|progression|relapse|recurrence|event)[- ‐]free|\s+without\s+(?:[\w-]+\s+)?(?P<without>progression|recurrence|relapse))?"
    r"\s+(?:at|after)\s+(?P<h>(?:" + NUM + r"|(?i:" + WORD_NUM + r"))\s*[-‐]?\s*(?i:years?|months?|yrs?))",
)
_ALIVE_ENDPOINT = {None: "OS", "disease": "DFS", "progression": "PFS", "relapse": "RFS", "recurrence": "RFS", "event": "EFS"}
_GROUP_STOP = (
    r"(?=\s*(?:[,;:()\[\]]|\.(?:\s|$)|$|(?<![\w-])(?:and|vs\.?|versus|v\.|compared|whereas|while|but|respectively|than|as\s+compared|p\s*[=<>])(?![\w-])|(?<![\w-])to\s+[<>≤≥]?\d|\d+(?:[.,·]\d+)?\s*(?:%|months?|years?|weeks?|days?)(?!\w)))"
)
_GROUP_AFTER_RE = regex.compile(
    r"\s*(?:,\s*)?(?:respectively\s*,?\s*)?(?i:in|for|among|with|on)\s+(?!(?:\d|both\b|all\b|each\b|this\b|these\b|our\b|a\s+(?:recent|previous|prior)\b))(?:(?i:the)\s+)?(?P<g>[^,;:()\[\].]{2,70}?)" + _GROUP_STOP
)
_GROUP_ACRONYM_RE = regex.compile(
    r"\s*(?P<g>(?:arm\s+[A-Z0-9]|[A-Z][A-Za-z0-9]*[A-Z0-9+][A-Za-z0-9+/-]*(?:\s+[A-Z][A-Za-z0-9+/-]*){0,2}))(?=\s*(?:[,;)]|vs\b|versus\b|and\b|\.(?:\s|$)|$))"
)
_GROUP_BRACKET_RE = regex.compile(r"\s*\((?P<g>[A-Za-z][^()\d;,=<>%]{1,40})\)")
_GROUP_BAD_RE = regex.compile(r"(?i)\b(?:trial|study|analysis|setting|population|total|period|patients with no|CI|range|IQR|median|mean|respectively|vs|versus|p)\b|^\d+\s*(?:years?|months?|weeks?|days?|%)")
_LIST_ITEM = r"(?:the\s+)?(?P<{n}>[^,;:()\[\].\d][^,;:()\[\].]{{0,40}}?)"
_GROUP_LIST_AFTER_RE = regex.compile(
    r"(?i:in|for|among)\s+" + _LIST_ITEM.format(n="a") + r"\s+and\s+" + _LIST_ITEM.format(n="b")
    + r"(?:\s+(?i:groups?|arms?|cohorts?|patients|subgroups?))?(?=\s*(?:,|\.|;|\)|$|respectively)|\s+(?:was|were|is|are|had)\b)"
)
_ARMS_LIST_RE = regex.compile(r"(?i:in|for)\s+(?:the\s+)?(?P<noun>(?i:arm|group|cohort))s?\s+(?P<a>[A-Z]|\d{1,2})\s+and\s+(?P<b>[A-Z]|\d{1,2})(?!\w|[.,]\d)(?!\s*(?:%|months?|years?|weeks?|days?))")


def _arms(m: Any) -> list[str]:
    noun = m.group("noun").lower()
    return [f"{noun} {m.group('a')}", f"{noun} {m.group('b')}"]

def _clean_group(raw: str | None) -> str | None:
    if not raw:
        return None
    g = _rx(r"\s+").sub(" ", raw).strip(" ,;:-")
    g = _rx(r"^(?i:the|patients in the|patients in|all)\s+").sub("", g)
    if not g or len(g) > 70 or _GROUP_BAD_RE.search(g):
        return None
    return g


def _group_after(st: _Sentence, pos: int, several: bool = False) -> str | None:
    t, end = st.text, st.end
    m = _GROUP_AFTER_RE.match(t, pos, end)
    if m:
        if several and _rx(r"\s*,(?!\s*(?:and\s+|or\s+)?[<>≤≥]?\d)").match(t, m.end(), end):
            return None  # `22, 16 and 8 months for grade II, III and IV`: one name cannot be told apart
        return _clean_group(m.group("g"))
    m = _GROUP_ACRONYM_RE.match(t, pos, end)
    if m and not st.lex.unit_re.match(t, pos, end):
        return _clean_group(m.group("g"))
    m = _GROUP_BRACKET_RE.match(t, pos, end)
    if m:
        return _clean_group(m.group("g"))
    return None


def _group_list_at(st: _Sentence, pos: int) -> list[str] | None:
    """`in the placebo and erlotinib arms` / `for arms A and B` right after the values."""
    t, end = st.text, st.end
    m = _ARMS_LIST_RE.match(t, pos, end)
    if m:
        return _arms(m)
    m = _GROUP_LIST_AFTER_RE.match(t, pos, end)
    if m and (_rx(r"(?i:groups?|arms?|cohorts?)$").search(t[m.start() : m.end()]) or "respectively" in t[m.end() : min(end, m.end() + 20)]):
        a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
        if a and b:
            return [a, b]
    return None


def _group_list(st: _Sentence, block: list[_Item], cue: Cue) -> list[str] | None:
    """Groups named once for several values: `in the X and Y groups, respectively`, `in arms A and B`."""
    t, end = st.text, st.end
    last = block[-1].stop
    m = _ARMS_LIST_RE.search(t, last, min(end, last + 60))
    if m:
        return _arms(m)
    resp = t.find("respectively", last, end)
    if resp >= 0:
        m = _ARMS_LIST_RE.search(t, last, min(end, resp + 60))
        if m:
            return _arms(m)
        for m in _GROUP_LIST_AFTER_RE.finditer(t, last, min(end, resp + 60)):
            if m.end() >= resp - 2 or m.start() > resp:
                a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
                if a and b:
                    return [a, b]
    m = _GROUP_LIST_AFTER_RE.match(t, _rx(r"\s*").match(t, last, end).end(), end)
    if m and _rx(r"(?i:groups?|arms?|cohorts?)$").search(t[m.start() : m.end()]):
        a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
        if a and b:
            return [a, b]
    # before the values: `survival in the IL-2 group and the control group was 98 vs 81%`
    m = _GROUP_LIST_AFTER_RE.search(t, cue.end, block[0].start)
    if m and _rx(r"\s*(?:was|were|is|are|had)\b").match(t, m.end(), block[0].start):
        a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
        if a and b:
            return [a, b]
    return None


_TIME_UNITS_FOR_VALUES = ("months", "weeks", "days")
_COUNT_SHARE_BEFORE_RE = regex.compile(r"\(\s*$")
_COUNT_SHARE_AFTER_RE = regex.compile(r"\s*\)")
_HYPHEN_END_RE = regex.compile(r"[-‐]\s*$")
_ALIVE_GROUP_RE = regex.compile(
    r"\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?of\s+(?P<g>[^,;()]+?)(?=\s+(?:and|were|was|had|remained)\b|[,;(]|$)"
)


@dataclass
class _Assignment:
    """Which cue governs which value in one sentence."""

    assigned: list[tuple[_Item, Cue]] = field(default_factory=list)
    alive_items: list[_Item] = field(default_factory=list)
    prev_stop: dict[int, int] = field(default_factory=dict)  # id(item) -> end of the value before it


def _assign(st: _Sentence, items: list[_Item], alive: Any) -> _Assignment:
    """Decide for each value whether it is a survival figure and which cue governs it."""
    text, start, end = st.text, st.start, st.end
    out = _Assignment()
    last_stop = start
    chain_sizes: dict[int, int] = {}
    for item in items:
        chain_sizes[item.chain] = chain_sizes.get(item.chain, 0) + 1
    for item in items:
        out.prev_stop[id(item)] = last_stop
        after = st.cue_after(item)
        value_before_endpoint = (
            after is not None
            and item.unit in _TIME_UNITS_FOR_VALUES
            and not st.clause_after_has_rate(after.end)
            and not _HYPHEN_END_RE.search(text, item.start, item.end)
        )
        if after is None or value_before_endpoint:
            last_stop = item.stop  # a time point (`5 year survival rate`) does not end a window
        pre = text[max(start, item.start - 40) : item.start]
        if item.unit != "%" and (
            st.lex.time_prep_re.search(pre) or _TIME_LIST_PRE_RE.search(pre) or _TIME_POINT_POST_RE.match(text, item.stop, end)
        ):
            continue  # `for 6 months`, `at baseline, 3 months, and 6 months`, `2 months after WBRT`
        if _PRE_DIFFERENCE_RE.search(pre):
            continue  # `a survival benefit of 3 months`, `occurs in up to 70%`
        if after is not None:
            if value_before_endpoint:
                out.assigned.append((item, after))  # `16 month hepatic progression-free survival`
            continue
        if item.unit == "%":
            if _COUNT_SHARE_BEFORE_RE.search(pre) and _COUNT_SHARE_AFTER_RE.match(text, item.stop, end):
                continue  # `26 (43%)`: a share of a count
            if _OF_PATIENTS_RE.match(text, item.stop, end):
                if alive and item.start < alive.start():
                    out.alive_items.append(item)
                continue
            if _POST_NONRATE_RE.match(text, item.stop, end):
                continue
        cue = st.governing_cue(item)
        if cue is None:
            continue
        if _CUE_TIME_POINT_RE.fullmatch(text, cue.end, item.start) or st.contrast_between(cue.end, item.start):
            continue  # `survival to 30 days`; `survival was similar, though leukopenia (43% vs. 30%)`
        if cue.kind != "endpoint" and not _coordinated(st, cue).has_endpoint:
            continue  # follow-up, hospital stay, response rate ... (a list `OS and SBP` still counts)
        if (
            chain_sizes[item.chain] == 1
            and _DIFFERENCE_OF_CUE_RE.search(text, max(start, cue.start - 60), cue.start)
            and _DIFFERENCE_GAP_RE.fullmatch(text, cue.end, item.start)
            and not _FROM_TO_BEFORE_RE.search(text, max(start, item.start - 8), item.start)
        ):
            continue  # `an absolute improvement in 3-year OS of 8%`
        out.assigned.append((item, cue))
    return out


def _name_chains(st: _Sentence, block: list[_Item]) -> dict[int, str | None]:
    """Time points and arm names written after each chain of values (`... 81% after 1 year`)."""
    text, end = st.text, st.end
    names: dict[int, str | None] = {}
    chains: dict[int, list[_Item]] = {}
    for item in block:
        chains.setdefault(item.chain, []).append(item)
    for item in block:
        if item.chain in names:
            continue
        members = chains[item.chain]
        post = _rx(r"\s*(?:,\s*)?").match(text, members[-1].stop, end).end()
        hz = st.lex.horizon_post_re.match(text, post, end)
        if hz:
            for i in members:
                i.horizon = hz.group("h")
            post = hz.end()
        group = None
        own_list = _group_list_at(st, post)
        if own_list and len(own_list) == len(members):
            for i, name in zip(members, own_list):
                i.group = name
        elif not own_list:
            contrast = any(i.contrast for i in members)
            group = _group_after(st, post, several=len(members) > 1 and not contrast)
            if group and contrast:
                # `13.5 vs. 10.2 months in gefitinib alone`: the name belongs to the last value
                members[-1].group, group = group, None
        names[item.chain] = group
    return names


def _block_figures(st: _Sentence, cue: Cue, block: list[_Item], window_stop: int) -> list[tuple[_Item, dict[str, Any]]]:
    """Attributes for the values one cue governs; coordinated endpoints and `respectively`
    lists distribute them (`PFS and OS were 15 and 48 months`)."""
    listed = _coordinated(st, cue) if st.has_cue(cue) else [cue]
    n, k = len(block), len(listed)
    groups = _group_list(st, block, cue)
    chain_names = _name_chains(st, block)
    if groups is None and block[0].group is None and chain_names.get(block[0].chain) is None:
        # `the survival rate for TMZ patients was 60% vs. 44% for PCB patients`
        before = _GROUP_BEFORE_RE.search(st.text, cue.end, block[0].start)
        if before and (len(block) == 1 or block[1].contrast or block[1].chain != block[0].chain):
            block[0].group = _clean_group(before.group("g"))
    figures = []
    for i, item in enumerate(block):
        endpoint_cue, group = cue, None
        if k >= 2 and n == k:
            endpoint_cue = listed[i]
        elif k >= 2 and n % k == 0:
            if groups and n == k * len(groups):
                endpoint_cue, group = listed[i // len(groups)], groups[i % len(groups)]
            else:
                endpoint_cue = listed[i % k]
        elif k < 2 and groups and n % len(groups) == 0:
            group = groups[i % len(groups)]
        if endpoint_cue.kind != "endpoint":
            continue
        group = item.group or chain_names.get(item.chain) or group
        attrs: dict[str, Any] = {"endpoint": endpoint_cue.endpoint}
        if endpoint_cue.scope:
            attrs["scope"] = endpoint_cue.scope
        attrs["measure"] = st.measure(endpoint_cue if endpoint_cue.measure else cue, item, window_stop)
        if item.unit == "%":
            horizon = st.horizon_for(cue, item, i, window_stop)
            if horizon:
                attrs["horizon"] = horizon
            elif endpoint_cue.needs_horizon:
                continue  # `liver recurrence in 30%` is a share, not a rate at a time point
        attrs["value"] = item.value
        attrs["unit"] = item.unit
        attrs.update(item.attrs)
        if group:
            attrs["group"] = group
        if item.qualifier:
            attrs["qualifier"] = item.qualifier
        figures.append((item, attrs))
    return figures


def _alive_figures(st: _Sentence, items: list[_Item], alive: Any) -> list[tuple[_Item, dict[str, Any]]]:
    """`75% (95% CI ...) of patients ... were alive and disease-free at 5 years`."""
    figures = []
    what = alive.group("free") or alive.group("without") if alive else None
    for item in items:
        attrs: dict[str, Any] = {"endpoint": _ALIVE_ENDPOINT.get(what, "OS"), "measure": "rate", "horizon": alive.group("h")}
        attrs.update({"value": item.value, "unit": "%"})
        attrs.update(item.attrs)
        of = _ALIVE_GROUP_RE.match(st.text, item.stop, st.end)
        group = _clean_group(of.group("g")) if of else None
        if group and group.lower() not in {"patients", "all patients", "the patients"}:
            attrs["group"] = group
        figures.append((item, attrs))
    return figures

