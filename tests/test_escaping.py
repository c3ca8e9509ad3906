"""User text is shown as text: no ``unsafe_allow_html`` anywhere, and Markdown/HTML/Streamlit
directives typed into plan names, evidence and other fields never reach a Markdown body
unescaped (they would render as links, images, colours or formulas).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace
from ui.state import md_escape

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"),
                       *(ROOT / "ui").rglob("*.py")] if p.is_file()]
# what an attacker (or a careless paste) puts in a plan field
PAYLOAD = ('<img src=x onerror=alert(1)>**太字**[リンク](https://evil.example) '
           ':red[赤] $x^2$ <script>alert(2)</script>')
DANGEROUS = ["<img", "<script", "](https://evil.example)", ":red[", "**太字**", "$x^2$"]
# the same, when not made literal by a backslash (CommonMark §2.4) or an HTML entity
UNESCAPED = re.compile(r"(?<!\\)<(?:img|script)|(?<!\\)\]\((?:https|javascript)[^)\s]*evil|"
                       r"(?<!\\):red\[|(?<!\\)\*\*太字|(?<!\\)\$x\^2")


def test_no_unsafe_html_in_the_app():
    # ui/theme.py is the one sanctioned st.html: constant <style> blocks of the app's own
    # CSS (tests/test_theme.py checks that its embedded texts are CSS-escaped)
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES if p != ROOT / "ui" / "theme.py"
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"unsafe_allow_html\s*=\s*True|st\.html\(|components\.v1\.html",
                         line)]
    assert hits == []


@pytest.mark.parametrize("text, shown", [
    ("[x](https://e)", r"\[x\]\(https\://e\)"),
    ("a*b_c", r"a\*b\_c"),
    ("<b>", r"\<b\>"),
    ("行1\n行2", "行1 行2"),
    ("柏市", "柏市"),
    (None, ""),
])
def test_md_escape_examples(text, shown):
    assert md_escape(text) == shown


def test_md_escape_round_trips():
    # CommonMark §2.4: a backslash before ASCII punctuation shows that character literally,
    # so removing the escapes gives back exactly what the user typed
    escaped = md_escape(PAYLOAD)
    assert re.sub(r"\\(.)", r"\1", escaped) == PAYLOAD
    assert UNESCAPED.search(PAYLOAD)  # the pattern sees the raw payload …
    assert not UNESCAPED.search(escaped)  # … and nothing once escaped


def _bodies(at) -> list[str]:
    """Text of every Markdown-rendered element (markdown, captions, alerts, titles…)."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        body = getattr(proto, "body", None)
        if isinstance(body, str) and body:
            out.append(body)
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return out


def hostile_plan(path: Path) -> str:
    ws = Workspace(path)
    plan = ws.create_plan("普通の計画")
    evil = ws.create_plan(PAYLOAD)

    def fill(p):
        p["project"].update(title=PAYLOAD, purpose=PAYLOAD, issues=PAYLOAD,
                            target_state=PAYLOAD, applicant=PAYLOAD)
        p["kpis"] = [{"name": PAYLOAD, "unit": PAYLOAD, "baseline": 0, "targets": [1, 2, 3]}]
        p["schedule"] = [{"task": PAYLOAD, "start": "2026-04", "end": "2027-03"}]
        p["costs"]["items"] = [{"category": "other", "name": PAYLOAD, "unit_price_jpy": 1,
                                "quantity": 1}]
        p["readiness"]["answers"] = {"vision": {"level": 2, "evidence": PAYLOAD}}
        p["privacy"]["settings"] = {"retention_days": 14, "manager": PAYLOAD}
        p["cameras"] = [{"id": "C1", "lat": 35.8676, "lon": 139.9758, "mount_height_m": 5.0,
                         "azimuth_deg": 90.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
                         "width_px": 1920, "height_px": 1080, "model": PAYLOAD,
                         "address": PAYLOAD},
                        # an id from a file, on a camera the simulation refuses (tilt
                        # 120°): its id comes back in the pages' issue lists
                        {"id": PAYLOAD, "lat": 35.8677, "lon": 139.9759,
                         "mount_height_m": 5.0, "azimuth_deg": 0.0, "tilt_deg": 120.0,
                         "hfov_deg": 90.0, "width_px": 1920, "height_px": 1080}]
        p["municipality"] = {"code": "122173", "prefecture": PAYLOAD, "name": PAYLOAD,
                             "lat": 35.8676, "lon": 139.9758}
    ws.update_plan(evil["id"], fill)
    ws.close()
    assert plan["id"] != evil["id"]
    return evil["id"]


# Known leaks in pages owned by other engineers (reported to the lead); strict: the marker
# must go when the page is fixed.
KNOWN_LEAKS = {
}
PAGES = [pytest.param(page, marks=pytest.mark.xfail(reason=KNOWN_LEAKS[page], strict=True))
         if page in KNOWN_LEAKS else page
         for page in sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))]


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_in_a_plan_is_never_rendered_as_markdown(workspace_path, page):
    evil_id = hostile_plan(workspace_path)
    at = AppTest.from_file(str(ROOT / page), default_timeout=90)
    at.session_state["plan_id"] = evil_id
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["plan_id"] == evil_id
    leaks = [b[max(0, m.start() - 40):m.end() + 40] for b in _bodies(at)
             for m in [UNESCAPED.search(b)] if m]
    assert leaks == [], f"{page} renders user text as Markdown: {leaks}"
    # the escaped name is shown in the sidebar's delete confirmation (2 plans exist)
    sidebar_text = [w.value for w in at.sidebar.warning]
    assert any(md_escape(PAYLOAD) in w for w in sidebar_text)
