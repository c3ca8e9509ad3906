"""UI strings: one place, unique keys, both languages present, placeholders consistent."""
import re
import string

from ui.strings import load_all


def test_every_string_has_both_languages_and_same_placeholders():
    strings = load_all()
    assert len(strings) > 50
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    for key, pair in strings.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        ja, en = pair
        assert ja.strip() and en.strip(), key
        assert fields(ja) == fields(en), key
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", key), key


def test_japanese_is_japanese():
    strings = load_all()
    assert strings["nav.group.compare"] == ("調べる・比較する", "Research & compare")
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    # the Japanese side of navigation/titles really is Japanese (not an English copy)
    for key in [k for k in strings if k.startswith("nav.")]:
        assert japanese.search(strings[key][0]), key
