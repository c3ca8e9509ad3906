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
    source VARCHAR NOT NULL
);

CREATE TABLE light_presets (
    id VARCHAR PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    class_va INTEGER NOT NULL,           -- 7 | 10 | 20 (VA class of LED 防犯灯)
    equivalent_ja VARCHAR NOT NULL,      -- the lamp it replaces (蛍光灯20W相当 …)
    lumens DOUBLE NOT NULL,              -- luminaire flux [lm] (judgement unless verified)
    distribution VARCHAR NOT NULL,       -- assessments.lighting distribution key
    mount_height_m DOUBLE NOT NULL,      -- typical mounting height [m]
    spacing_m DOUBLE,                    -- spacing the maker states for its class [m]
    use_ja VARCHAR NOT NULL,
    use_en VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);
