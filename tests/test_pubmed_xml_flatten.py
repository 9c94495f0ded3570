"""Flattening inline XML markup to running text (shared by the PubMed XML and JATS readers)."""

from __future__ import annotations

import pytest
from lxml import etree

from pipeline.readers.xmlsafe import PARSER_OPTIONS
from pipeline.readers.xmltext import author_initials, first_year, flatten


def parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode("utf-8"), etree.XMLParser(**PARSER_OPTIONS))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ("<t>plain text</t>", "plain text"),
        ("<t>a fast-acting &#946;\n\t\t\t<sub>2</sub>-agonist</t>", "a fast-acting β2-agonist"),
        ("<t>dose 80 mg/m<sup>2</sup> daily</t>", "dose 80 mg/m2 daily"),
        ("<t>the <i>EGFR</i> gene and <b>bold</b> tails</t>", "the EGFR gene and bold tails"),
        ("<t>the\n   <i>P</i> value</t>", "the P value"),
        ("<t>  leading and\n\ttrailing  </t>", "leading and trailing"),
        ("<t>5&#160;&#215;&#8201;5 Gy</t>", "5 × 5 Gy"),
        (
            '<t>area <m:math xmlns:m="http://www.w3.org/1998/Math/MathML"><m:mi>x</m:mi><m:mo>+</m:mo>'
            '<m:mn>1</m:mn><m:annotation encoding="TeX">x+1</m:annotation></m:math> cm</t>',
            "area x+1 cm",
        ),
        ("<t>line one<break/>line two</t>", "line one line two"),
        ("<t>kept <!-- a comment --> tail</t>", "kept tail"),
    ],
    ids=["plain", "pretty-printed-sub", "sup", "inline-tails", "newline-before-italic-is-a-space",
         "strip-and-collapse", "nbsp-and-thin-space", "mathml-without-annotation", "break", "comment"],
)
def test_flatten_inline_markup(xml, expected):
    assert flatten(parse(xml)) == expected


def test_flatten_unexpanded_named_entity_from_unloaded_dtd():
    doc = '<!DOCTYPE t SYSTEM "none.dtd">\n<t>a&nbsp;b&beta;c&madeup;d</t>'
    assert flatten(parse(doc)) == "a bβc d"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Paul M", "PM"), ("Ernst-Ulrich", "EU"), ("W K A", "WKA"), ("J. Mark", "JM"), ("PM", "PM"),
     ("María José", "MJ"), ("", ""), (None, "")],
)
def test_author_initials(given, expected):
    assert author_initials(given) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2018 May 17", 2018), ("1998 Dec-1999 Jan", 1998), ("Winter 2001", 2001), ("n.d.", None), (None, None)],
)
def test_first_year(text, expected):
    assert first_year(text) == expected
