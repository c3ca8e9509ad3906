-- Reference tables of Mimamori Planner: one CREATE TABLE per datasets/<table>.csv, same
-- column order as the CSV header. Every row carries `source`; `verified = false` marks a
-- fact that facts.md flags ⚠️ (unverified).

CREATE TABLE sources (
    key VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    title VARCHAR
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
    source VARCHAR NOT NULL
);
