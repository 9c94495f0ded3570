-- Example queries a researcher would run on the database (README "Databases"; run by
-- tests/test_output_database_queries.py against the corpus). Plain SQL that SQLite, DuckDB
-- and PostgreSQL all accept. A drug is linked to a figure when the article mentions it.

-- name: median_survival_by_drug
-- Median survival time by drug and endpoint: the median of all median survival times (in
-- months) reported in ok articles that mention the drug, with how many figures and
-- articles it rests on; drugs and endpoints seen in at least three articles.
WITH figures AS (
    SELECT DISTINCT d.norm AS drug, s.endpoint, s.article_id, s.ordinal, s.value
    FROM survival s
    JOIN drugs d ON d.article_id = s.article_id
    JOIN articles a ON a.id = s.article_id
    WHERE s.measure = 'median' AND s.unit = 'months' AND d.norm IS NOT NULL AND a.status = 'ok'
),
ranked AS (
    SELECT drug, endpoint, article_id, value,
           ROW_NUMBER() OVER (PARTITION BY drug, endpoint ORDER BY value) AS rn,
           COUNT(*) OVER (PARTITION BY drug, endpoint) AS n
    FROM figures
)
SELECT drug, endpoint,
       AVG(CASE WHEN 2 * rn BETWEEN n AND n + 2 THEN value END) AS median_months,
       COUNT(*) AS figures,
       COUNT(DISTINCT article_id) AS articles
FROM ranked
GROUP BY drug, endpoint
HAVING COUNT(DISTINCT article_id) >= 3
ORDER BY drug, endpoint;

-- name: hazard_ratios_for_drug
-- Every hazard ratio reported in an article that mentions oxaliplatin, with its confidence
-- interval and p-value (empty when the abstract gives none), oldest article first.
SELECT a.id, a.pmid, a.year, h.endpoint, h.value AS hr, h.ci_low, h.ci_high, h.p, e.section
FROM hazard_ratios h
JOIN entities e ON e.article_id = h.article_id AND e.ordinal = h.ordinal
JOIN articles a ON a.id = h.article_id
WHERE h.article_id IN (SELECT article_id FROM drugs WHERE norm = 'oxaliplatin')
ORDER BY a.year, a.id, h.ordinal;

-- name: abstracts_per_year_for_drug
-- How many abstracts per publication year mention capecitabine.
SELECT a.year, COUNT(DISTINCT a.id) AS abstracts
FROM articles a
JOIN drugs d ON d.article_id = a.id
WHERE d.norm = 'capecitabine' AND a.status = 'ok' AND a.year IS NOT NULL
GROUP BY a.year
ORDER BY a.year;
