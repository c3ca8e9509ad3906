-- Reference tables of the readiness and privacy-rule self-assessments (issue 7).
-- One CREATE TABLE per datasets/<table>.csv, same column order as the CSV header.
-- Every row carries `source`; `verified = false` marks a row whose basis facts.md flags ⚠️.

CREATE TABLE readiness_questions (
    id VARCHAR PRIMARY KEY,            -- <condition_id>_<n>
    condition_id VARCHAR NOT NULL,     -- vision | issues | target_state | plan | organisation | funding_approach | investment_recovery | data_platform | participation
    sort_order INTEGER NOT NULL,       -- order within the condition, from 1
    question_ja VARCHAR NOT NULL,
    question_en VARCHAR NOT NULL,
    level0_ja VARCHAR NOT NULL,        -- what maturity level 0 means for this question
    level0_en VARCHAR NOT NULL,
    level1_ja VARCHAR NOT NULL,
    level1_en VARCHAR NOT NULL,
    level2_ja VARCHAR NOT NULL,
    level2_en VARCHAR NOT NULL,
    level3_ja VARCHAR NOT NULL,
    level3_en VARCHAR NOT NULL,
    level4_ja VARCHAR NOT NULL,        -- level 4 = most mature
    level4_en VARCHAR NOT NULL,
    basis_ja VARCHAR NOT NULL,         -- why the question is asked (seed report passage, scheme rule, real example)
    basis_en VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE readiness_reference (
    profile_id VARCHAR NOT NULL,       -- tsukuba | kashiwanoha
    profile_name_ja VARCHAR NOT NULL,
    profile_name_en VARCHAR NOT NULL,
    condition_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL,             -- reference maturity 0–4 derived from the seed report
    derivation_ja VARCHAR NOT NULL,    -- how the score was derived (rule + reasoning)
    derivation_en VARCHAR NOT NULL,
    seed_quote VARCHAR NOT NULL,       -- verbatim seed text; passages separated by ／, omissions by …
    seed_section VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,            -- comparison_table (the seven conditions) | hearing_notes
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (profile_id, condition_id)
);

CREATE TABLE readiness_actions (
    condition_id VARCHAR NOT NULL,
    band VARCHAR NOT NULL,             -- low (score < 2) | mid (2 ≤ score < 3) | high (score ≥ 3)
    sort_order INTEGER NOT NULL,
    action_ja VARCHAR NOT NULL,
    action_en VARCHAR NOT NULL,
    example_ja VARCHAR NOT NULL,       -- a real example (municipality, scheme rule) with its source
    example_en VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (condition_id, band, sort_order)
);

CREATE TABLE privacy_items (
    id VARCHAR PRIMARY KEY,            -- P01–P25 = facts.md §4f numbering; P26– face-identification only
    sort_order INTEGER NOT NULL,
    title_ja VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    basis_ja VARCHAR NOT NULL,         -- legal or guideline basis
    basis_en VARCHAR NOT NULL,
    basis_kind VARCHAR NOT NULL,       -- law | guideline | good_practice (severity in that order)
    action_ja VARCHAR NOT NULL,
    action_en VARCHAR NOT NULL,
    example_ja VARCHAR,                -- a real municipal or operator example
    example_en VARCHAR,
    applies_to VARCHAR NOT NULL,       -- 'all' or semicolon list of use_cases.id
    stats_only_ja VARCHAR,             -- variant when people counting is statistics-only
    stats_only_en VARCHAR,
    uk_principles VARCHAR NOT NULL,    -- semicolon list of UK Surveillance Camera Code principle numbers 1–12
    link VARCHAR,                      -- cross-link to the simulation page: storage | dori
    verified BOOLEAN NOT NULL,
    source_keys VARCHAR,               -- facts.md §7 keys, semicolon list
    source VARCHAR NOT NULL            -- the keys' addresses as listed in facts.md §7
);
