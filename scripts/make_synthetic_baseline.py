"""Write a synthetic PubMed baseline-style XML file (made-up records) for memory/speed checks.

    python scripts/make_synthetic_baseline.py out/synthetic_baseline.xml.gz --records 30000

Every record is invented from a fixed vocabulary with a seeded RNG (nothing real is copied):
a PubmedArticle with journal, title, a structured abstract (Label + NlmCategory, some inline
<i>/<sup>), authors with affiliations, MeSH headings, keywords and article ids; a
DeleteCitation closes the set. 30,000 records come to about 120 MB uncompressed, about
the size of one annual baseline file. `.gz` output is gzip-compressed.
"""

from __future__ import annotations

import argparse
import gzip
import random
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = (
    "patients trial randomised treatment outcome survival placebo dose response cohort baseline "
    "analysis primary secondary endpoint month week therapy efficacy safety adverse event group "
    "median mean interval hazard ratio confidence significant reduction increase clinical study "
    "disease progression tumour cancer infection chronic acute care hospital follow-up measure "
    "score index level serum plasma marker risk factor incidence mortality benefit toxicity "
    "regimen cycle infusion oral daily combination monotherapy standard arm allocation blinded"
).split()
SECTIONS = [
    ("BACKGROUND", "BACKGROUND"),
    ("OBJECTIVE", "OBJECTIVE"),
    ("METHODS", "METHODS"),
    ("RESULTS", "RESULTS"),
    ("CONCLUSIONS", "CONCLUSIONS"),
]
SURNAMES = "Alder Brook Carter Dalton Ellis Foster Grant Hayes Irving Jensen Keller Lopez Moreau Novak Ortiz Patel Quinn Rossi Sato Tanaka Ueda Varga Weber Xu Young Zhang".split()
GIVEN = "Anna Ben Chloe David Eva Farid Greta Hugo Ines Jonas Kira Liam Mira Nils Olga Pavel Rosa Sven Tara Umar Vera Wen Yuki Zoe".split()
MESH = "Adult Aged Female Male Humans Neoplasms Antineoplastic\u00a0Agents Survival\u00a0Analysis Treatment\u00a0Outcome Middle\u00a0Aged".split()


def sentence(rng: random.Random, n_min: int = 8, n_max: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(n_min, n_max))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.randint(1, 500)} mg/m<sup>2</sup>")
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), f"<i>{rng.choice(WORDS)}</i>")
    if rng.random() < 0.3:
        words.append(f"(HR {rng.uniform(0.3, 1.2):.2f}; 95% CI {rng.uniform(0.2, 0.5):.2f}&#8211;{rng.uniform(0.9, 1.5):.2f})")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def record(rng: random.Random, pmid: int) -> str:
    year = rng.randint(1990, 2024)
    title = sentence(rng, 8, 16)
    abstract = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{cat}">'
        + " ".join(sentence(rng) for _ in range(rng.randint(1, 2)))
        + "</AbstractText>\n"
        for label, cat in SECTIONS
    )
    authors = "".join(
        "<Author ValidYN=\"Y\"><LastName>{s}</LastName><ForeName>{g}</ForeName><Initials>{i}</Initials>"
        "<AffiliationInfo><Affiliation>Department of {d}, Synthetic University {u}, Testville.</Affiliation>"
        "</AffiliationInfo></Author>\n".format(
            s=rng.choice(SURNAMES), g=rng.choice(GIVEN), i=rng.choice(GIVEN)[0], d=rng.choice(WORDS).title(),
            u=rng.randint(1, 99),
        )
        for _ in range(rng.randint(1, 5))
    )
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="D{rng.randint(1, 99999):06d}" MajorTopicYN="{rng.choice("YN")}">'
        f"{escape(term.replace(chr(160), ' '))}</DescriptorName></MeshHeading>\n"
        for term in rng.sample(MESH, 5)
    )
    return f"""<PubmedArticle>
<MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID>
<Article PubModel="Print">
<Journal><ISSN IssnType="Print">0000-{pmid % 10000:04d}</ISSN>
<JournalIssue CitedMedium="Print"><Volume>{rng.randint(1, 200)}</Volume><Issue>{rng.randint(1, 12)}</Issue>
<PubDate><Year>{year}</Year><Month>Jan</Month></PubDate></JournalIssue>
<Title>Synthetic journal of {rng.choice(WORDS)}</Title><ISOAbbreviation>Synth J {rng.choice(WORDS).title()}</ISOAbbreviation></Journal>
<ArticleTitle>{title}</ArticleTitle>
<Pagination><MedlinePgn>{rng.randint(1, 900)}-{rng.randint(901, 999)}</MedlinePgn></Pagination>
<ELocationID EIdType="doi" ValidYN="Y">10.0000/synthetic.{pmid}</ELocationID>
<Abstract>
{abstract}<CopyrightInformation>Synthetic record, no rights.</CopyrightInformation>
</Abstract>
<AuthorList CompleteYN="Y">
{authors}</AuthorList>
<Language>eng</Language>
<PublicationTypeList><PublicationType UI="D016449">Randomized Controlled Trial</PublicationType></PublicationTypeList>
</Article>
<MedlineJournalInfo><Country>Nowhere</Country><MedlineTA>Synth J</MedlineTA></MedlineJournalInfo>
<MeshHeadingList>
{mesh}</MeshHeadingList>
<KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">{rng.choice(WORDS)}</Keyword><Keyword MajorTopicYN="N">{rng.choice(WORDS)}</Keyword></KeywordList>
</MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId><ArticleId IdType="doi">10.0000/synthetic.{pmid}</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
"""


def write_baseline(path: Path, records: int = 30000, seed: int = 13) -> int:
    """Write the synthetic file; returns the number of uncompressed bytes written."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.suffix == ".gz" else open
    written = 0
    with opener(path, "wb") as handle:
        def put(text: str) -> None:
            nonlocal written
            data = text.encode("utf-8")
            written += len(data)
            handle.write(data)

        put('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
            '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
        for i in range(records):
            put(record(rng, 70_000_000 + i))
        put("<DeleteCitation>\n" + "".join(f'<PMID Version="1">{69_000_000 + i}</PMID>\n' for i in range(5))
            + "</DeleteCitation>\n</PubmedArticleSet>\n")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--records", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    size = write_baseline(args.output, args.records, args.seed)
    print(f"wrote {args.records} records, {size / 1e6:.1f} MB uncompressed, to {args.output}")


if __name__ == "__main__":
    main()
