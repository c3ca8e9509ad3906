-- Reference tables of Mimamori Planner: one CREATE TABLE per datasets/<table>.csv, same
-- column order as the CSV header. Every row carries `source`; `verified = false` marks a
-- fact no official page confirmed, and `unverified_reason_ja/_en` say why (the pages show it).

-- The short keys the `source` texts cite (`https://… (KEY)`), read by datasets/citations.py.
-- title / publisher / date_read only as confirmed on the page itself (empty = not confirmed:
-- the citation says 未確認), note = what the address was said to hold, unconfirmed.
CREATE TABLE sources (
    key VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    title VARCHAR,
    publisher VARCHAR,
    date_read DATE,                    -- when the page was read
    note VARCHAR
);

CREATE TABLE municipalities (
    code VARCHAR PRIMARY KEY,          -- 地方公共団体コード, 6 digits incl. check digit, leading zeros kept
    prefecture_code VARCHAR NOT NULL,  -- first 2 digits
    prefecture VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kana VARCHAR,
    lat DOUBLE NOT NULL,               -- municipal office latitude [°]
    lon DOUBLE NOT NULL,               -- municipal office longitude [°]
    website VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE thresholds (
    id VARCHAR PRIMARY KEY,            -- <kind>.<key>.<measure>
    kind VARCHAR NOT NULL,             -- dori_2014 | iec_2025 | ses_e1901 | jis_z9111 | jis_z9110 | npa | npa_visibility | illuminance_reference | camera_example
    key VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,          -- pixel_density | horizontal_avg | vertical_min | horizontal_range | illuminance | distance | duration
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    value_max DOUBLE,                  -- upper end when the source gives a range
    unit VARCHAR NOT NULL,             -- px/m | lx | m | day
    description_ja VARCHAR,
    description_en VARCHAR,
    verified BOOLEAN NOT NULL,
    unverified_reason_ja VARCHAR,      -- why the row stays unverified, shown next to the figure (empty when verified)
    unverified_reason_en VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE initiatives (
    id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    type VARCHAR NOT NULL,             -- super_city | health_zone | smart_city
    municipality_code VARCHAR,         -- 地方公共団体コード where one exists
    prefecture VARCHAR NOT NULL,
    municipality_name VARCHAR,
    lead_ja VARCHAR,
    lead_en VARCHAR,
    start_year INTEGER,
    dates_ja VARCHAR,
    dates_en VARCHAR,
    domains_ja VARCHAR,
    domains_en VARCHAR,
    cameras_ja VARCHAR,
    cameras_en VARCHAR,
    has_cameras BOOLEAN,               -- NULL = unknown
    has_people_flow BOOLEAN,
    has_face_recognition BOOLEAN,
    lat DOUBLE NOT NULL,               -- municipal office [°]
    lon DOUBLE NOT NULL,
    verified BOOLEAN NOT NULL,
    unverified_reason_ja VARCHAR,      -- why the row stays unverified, shown next to the figure (empty when verified)
    unverified_reason_en VARCHAR,
    notes_ja VARCHAR,
    notes_en VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE mlit_keywords (
    key VARCHAR PRIMARY KEY,
    position INTEGER NOT NULL,         -- column order in the seed's MLIT table
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE mlit_projects (
    id VARCHAR PRIMARY KEY,
    initiative_id VARCHAR NOT NULL,
    project_name_ja VARCHAR NOT NULL,
    project_name_en VARCHAR NOT NULL,
    prefecture VARCHAR NOT NULL,
    municipality_name VARCHAR NOT NULL,
    municipality_code VARCHAR NOT NULL,
    support_years VARCHAR,             -- 支援実績 as printed (R1・R2 …)
    n_rows INTEGER NOT NULL,           -- document rows of the project in the table
    mobility BOOLEAN NOT NULL,         -- true when any of the project's rows carries ●
    robot BOOLEAN NOT NULL,
    drone BOOLEAN NOT NULL,
    camera_sensor BOOLEAN NOT NULL,
    app BOOLEAN NOT NULL,
    face_recognition BOOLEAN NOT NULL,
    people_flow BOOLEAN NOT NULL,
    infrastructure BOOLEAN NOT NULL,
    disaster BOOLEAN NOT NULL,
    health BOOLEAN NOT NULL,
    tourism BOOLEAN NOT NULL,
    energy BOOLEAN NOT NULL,
    digital_twin BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE mlit_project_rows (
    project_id VARCHAR NOT NULL,
    row_no INTEGER NOT NULL,
    plan_document VARCHAR,             -- 実行計画 column (概要 / 詳細 / 本文)
    outline_years VARCHAR,             -- 取組内容 概要
    detail_years VARCHAR,              -- 取組内容 詳細
    report BOOLEAN NOT NULL,           -- 報告書 ○
    mobility BOOLEAN NOT NULL,
    robot BOOLEAN NOT NULL,
    drone BOOLEAN NOT NULL,
    camera_sensor BOOLEAN NOT NULL,
    app BOOLEAN NOT NULL,
    face_recognition BOOLEAN NOT NULL,
    people_flow BOOLEAN NOT NULL,
    infrastructure BOOLEAN NOT NULL,
    disaster BOOLEAN NOT NULL,
    health BOOLEAN NOT NULL,
    tourism BOOLEAN NOT NULL,
    energy BOOLEAN NOT NULL,
    digital_twin BOOLEAN NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (project_id, row_no)
);

CREATE TABLE initiative_conditions (
    initiative_id VARCHAR NOT NULL,
    condition_id VARCHAR NOT NULL,     -- readiness condition ids of docs/architecture.md
    condition_no INTEGER NOT NULL,     -- 1..7 as in the seed table
    condition_ja VARCHAR NOT NULL,
    condition_en VARCHAR NOT NULL,
    text_ja VARCHAR NOT NULL,
    text_en VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (initiative_id, condition_id)
);

CREATE TABLE initiative_summary (
    initiative_id VARCHAR NOT NULL,
    dimension_id VARCHAR NOT NULL,
    dimension_no INTEGER NOT NULL,
    section VARCHAR NOT NULL,          -- summary (§5(1) table) | video_dx (§4(2) table)
    dimension_ja VARCHAR NOT NULL,
    dimension_en VARCHAR NOT NULL,
    text_ja VARCHAR NOT NULL,
    text_en VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (initiative_id, dimension_id)
);

CREATE TABLE case_figures (
    initiative_id VARCHAR NOT NULL,
    figure_id VARCHAR NOT NULL,
    metric_ja VARCHAR NOT NULL,
    metric_en VARCHAR NOT NULL,
    year INTEGER,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    note_ja VARCHAR,
    note_en VARCHAR,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (initiative_id, figure_id)
);

CREATE TABLE grant_schemes (
    id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    level VARCHAR NOT NULL,            -- national | prefecture | municipality
    body_ja VARCHAR,
    purpose_ja VARCHAR,
    purpose_en VARCHAR,
    stage VARCHAR NOT NULL,            -- demonstration | implementation | both
    rate DOUBLE,                       -- national/upper share 0–1; NULL = fixed amount or unknown
    rate_text_ja VARCHAR,
    cap_jpy BIGINT,                    -- upper limit of the grant per project (補助限度額) [円]
    project_cost_cap_jpy BIGINT,       -- upper limit of the eligible project cost [円]
    min_project_cost_jpy BIGINT,
    per_camera_cap_jpy BIGINT,         -- eligible cost per camera [円/台]
    fixed_amount_jpy BIGINT,           -- 定額 for the first site [円/か所]
    fixed_amount_next_jpy BIGINT,      -- 定額 for each further site [円/か所]; NULL = fixed_amount_jpy
    max_sites INTEGER,                 -- sites the fixed amount counts (原則1団体1か所 = 1); NULL = all
    rounding_unit_jpy INTEGER,         -- grant rounded down to this unit [円] (1000 = 千円未満切捨て); NULL = 1
    covers_running BOOLEAN NOT NULL,   -- running costs count as eligible cost
    duration_years INTEGER,
    requires_data_platform BOOLEAN NOT NULL,
    kpi_years INTEGER,
    operation_years INTEGER,
    consortium_required BOOLEAN NOT NULL,
    residents_consent_required BOOLEAN NOT NULL,
    eligible_applicants_ja VARCHAR,
    requirements_ja VARCHAR,
    requirements_en VARCHAR,
    application_timing_ja VARCHAR,
    fiscal_year INTEGER,               -- fiscal year the figures apply to (NULL = not stated)
    successor_id VARCHAR,
    exclusive_with VARCHAR,            -- semicolon list of scheme ids
    verified BOOLEAN NOT NULL,
    unverified_reason_ja VARCHAR,      -- why a figure is not verified (shown next to it); NULL when verified
    unverified_reason_en VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE grant_calls (
    scheme_id VARCHAR NOT NULL,        -- grant_schemes.id
    fiscal_year INTEGER NOT NULL,      -- fiscal year the call is for
    start_date DATE,                   -- NULL = not stated
    end_date DATE,                     -- deadline (NULL = not stated)
    note_ja VARCHAR,
    note_en VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE grant_shares (
    scheme_id VARCHAR NOT NULL,
    variant VARCHAR NOT NULL,          -- standard | renewal | shotengai_alone
    payer VARCHAR NOT NULL,            -- prefecture | municipality | applicant | public
    payer_ja VARCHAR NOT NULL,
    payer_en VARCHAR NOT NULL,
    share DOUBLE NOT NULL,             -- fraction of the eligible cost
    share_text VARCHAR NOT NULL,       -- as a fraction, e.g. 1/6
    cap_jpy BIGINT,                    -- upper limit of this payer's part [円]; NULL = none
    source VARCHAR NOT NULL
);

CREATE TABLE grant_scheme_scope (
    scheme_id VARCHAR NOT NULL,
    prefecture VARCHAR,                -- NULL = nationwide
    municipality_code VARCHAR,         -- NULL = whole prefecture / nation
    applicant_types VARCHAR NOT NULL,  -- semicolon list: municipality;prefecture;municipal_group;private;university;consortium;neighbourhood_association;shopping_street;pta;community_group
    domains VARCHAR,                   -- semicolon list; NULL = any domain
    cost_type VARCHAR NOT NULL,        -- capex | maintenance
    source VARCHAR NOT NULL
);

CREATE TABLE use_cases (
    id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    description_ja VARCHAR NOT NULL,
    description_en VARCHAR NOT NULL,
    dori_level VARCHAR NOT NULL,       -- thresholds.key of kind dori_2014
    dori_basis VARCHAR NOT NULL,       -- why this level (judgement unless a source says so)
    night_operation BOOLEAN NOT NULL,
    recording_needed BOOLEAN NOT NULL,
    personal_data VARCHAR NOT NULL,    -- none | images | attributes | face_features
    lessons_ja VARCHAR NOT NULL,
    lessons_en VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE use_case_examples (
    use_case_id VARCHAR NOT NULL,
    example_id VARCHAR NOT NULL,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    initiative_id VARCHAR,
    year INTEGER,
    detail_ja VARCHAR NOT NULL,
    detail_en VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (use_case_id, example_id)
);

-- ==== Self-assessments (readiness, privacy) ====
-- Reference tables of the readiness and privacy-rule self-assessments (issue 7).
-- One CREATE TABLE per datasets/<table>.csv, same column order as the CSV header.
-- Every row carries `source`; `verified = false` marks a row whose basis no official page confirmed.

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
    basis_ja VARCHAR NOT NULL,         -- why the question is asked (JSSA report passage, scheme rule, real example)
    basis_en VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE readiness_reference (
    profile_id VARCHAR NOT NULL,       -- tsukuba | kashiwanoha
    profile_name_ja VARCHAR NOT NULL,
    profile_name_en VARCHAR NOT NULL,
    condition_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL,             -- reference maturity 0–4 derived from the JSSA report (2024-03-31)
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
    id VARCHAR PRIMARY KEY,            -- P01–P25 the general checklist; P26– face-identification only
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
    unverified_reason_ja VARCHAR,      -- why the basis is not verified (shown next to the item); NULL when verified
    unverified_reason_en VARCHAR,
    source_keys VARCHAR,               -- datasets/sources.csv keys, semicolon list
    source VARCHAR NOT NULL            -- the keys' addresses (datasets/sources.csv)
);

-- ==== Simulation presets ====
-- Presets of the simulation page (issue 5): typical camera classes and 防犯灯 lumen classes.
-- One CREATE TABLE per datasets/<table>.csv, same column order as the CSV header.
-- Every row carries `basis` (which figures are published, which are judgement) and `source`;
-- `verified = false` when any figure of the row is a judgement.

CREATE TABLE camera_presets (
    id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    category VARCHAR NOT NULL,           -- fixed | bullet | dome
    hfov_deg DOUBLE NOT NULL,            -- horizontal field of view [°]
    width_px INTEGER NOT NULL,
    height_px INTEGER NOT NULL,
    ir_range_m DOUBLE,                   -- IR illuminator range [m]; 0 = no IR; empty = not published
    min_illuminance_color_lx DOUBLE,     -- minimum scene illuminance for colour images [lx]
    min_illuminance_ir_lx DOUBLE,        -- with IR on [lx]
    fps DOUBLE NOT NULL,                 -- frame rate the bitrates assume [1/s]
    bitrate_h264_mbps DOUBLE NOT NULL,   -- Kush gauge, low motion [Mbit/s]
    bitrate_h265_mbps DOUBLE NOT NULL,   -- half of H.264 [Mbit/s]
    basis VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    unverified_reason_ja VARCHAR,      -- why the row stays unverified, shown next to the figure (empty when verified)
    unverified_reason_en VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE light_presets (
    id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    class_va INTEGER NOT NULL,           -- 7 | 10 | 20 (VA class of LED 防犯灯)
    equivalent_ja VARCHAR NOT NULL,      -- the lamp it replaces (蛍光灯20W相当 …)
    lumens DOUBLE NOT NULL,              -- luminaire flux [lm] (judgement unless verified)
    distribution VARCHAR NOT NULL,       -- assessments.engine.lighting distribution key
    mount_height_m DOUBLE NOT NULL,      -- typical mounting height [m]
    spacing_m DOUBLE,                    -- spacing the maker states for its class [m]
    use_ja VARCHAR NOT NULL,
    use_en VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    unverified_reason_ja VARCHAR,      -- why the row stays unverified, shown next to the figure (empty when verified)
    unverified_reason_en VARCHAR,
    source VARCHAR NOT NULL
);
