"""Money as a municipal reader counts it (ui.compare_common.yen_compact / yen_ticks):
万円 and 億円 in Japanese, millions and billions in English, never plotly's 「10M」."""
from __future__ import annotations

import pytest

from ui import compare_common as cc


@pytest.mark.parametrize("lang, value, shown", [
    ("ja", 400_000_000, "4億円"),          # 4 × 10⁸
    ("ja", 125_000_000, "1.25億円"),       # 1.25 × 10⁸
    ("ja", 50_000_000, "5,000万円"),       # 5,000 × 10⁴
    ("ja", 1_250_000, "125万円"),          # 125 × 10⁴
    ("ja", 9_800, "9,800円"),              # below 1万: exact
    ("ja", 0, "0円"),
    ("en", 400_000_000, "¥400 million"),   # 400 × 10⁶
    ("en", 1_250_000_000, "¥1.25 billion"),
    ("en", 9_800, "¥9,800"),
    ("ja", None, "—"),
])
def test_yen_compact(monkeypatch, lang, value, shown):
    monkeypatch.setattr(cc, "lang", lambda: lang)
    monkeypatch.setattr(cc, "t", lambda key, **fmt: cc_strings(lang)[key].format(**fmt))
    assert cc.yen_compact(value) == shown


def cc_strings(lang):
    from ui.strings.compare import STRINGS
    return {k: v[0 if lang == "ja" else 1] for k, v in STRINGS.items()}


def test_yen_ticks_japanese(monkeypatch):
    monkeypatch.setattr(cc, "lang", lambda: "ja")
    monkeypatch.setattr(cc, "t", lambda key, **fmt: cc_strings("ja")[key].format(**fmt))
    values, text = cc.yen_ticks(37_000_000)
    # 37,000,000 / 4 = 9,250,000 → the next 1-2-5 step is 10,000,000 (1,000万円);
    # ticks up to the first one past the maximum: 0 … 4,000万円
    assert values == [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000]
    assert text == ["0円", "1,000万円", "2,000万円", "3,000万円", "4,000万円"]
