"""Every page but the simulation, in a real headless Chromium at a municipal PC's 1366×768 and
a projector's 1920×1080, in Japanese and English, on the sample plan: no English Streamlit
built-ins and no internal names in the Japanese text, no clipped button, tab or metric label,
no sideways scrolling. The シミュレーション page is only scanned for text (its layout has its
own test). Screenshots: tests/artifacts/pages_<page>_<size>_<lang>.png."""
from __future__ import annotations

import re

import pytest

from tests.browser import (
    ARTIFACTS,
    browser_page,
    require_chromium,
    streamlit_server,
    wait_idle,
)
from tests.test_browser_simulate import _sample_workspace
from tests.test_page_texts import INTERNAL, URL
from ui.strings import load_all

pytestmark = pytest.mark.browser

STRINGS = load_all()
#: page (URL path) → the key of its st.title
PAGES = {"home": "home.title", "compare_cases": "compare.cases.title",
         "grants": "compare.grants.title", "use_cases": "compare.uc.title",
         "readiness": "assess.readiness.title", "privacy": "assess.privacy.title",
         "project_plan": "export.plan.title", "export": "export.title",
         "simulate": "sim.title"}
TEXT_ONLY = {"simulate"}
ST_ENGLISH = re.compile(r"Drag and drop|Browse files|200MB|Choose an option|Choose options|"
                        r"Select all|No results|\bUpload\b")

#: JavaScript: the visible text of the page (main part and sidebar), one text node a line;
#: Material icons (drawn from their ligature names, 「check_box」) are not text.
TEXT_JS = """() => {
  const out = [];
  for (const id of ['stMain', 'stSidebar']) {
    const root = document.querySelector(`[data-testid="${id}"]`);
    if (!root) continue;
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      const el = node.parentElement, text = node.textContent.trim();
      if (!text || el.closest('[data-testid="stIconMaterial"], [translate="no"], style, script')) continue;
      if (!el.checkVisibility({checkVisibilityCSS: true})) continue;
      out.push(text);
    }
  }
  return out.join('\\n');
}"""


#: JavaScript: buttons, tabs and metric labels in the main part whose text is cut off or that
#: reach past the window's right edge, and the main part's sideways overflow.
LAYOUT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const vw = window.innerWidth, bad = [];
  const label = el => (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60);
  const items = main.querySelectorAll(
      'button, [role="tab"], [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]');
  for (const item of items) {
    const box = item.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;            // not drawn (closed expander)
    if (item.closest('[data-testid="stDataFrame"], [data-testid="stElementToolbar"]'))
      continue;                                                  // the grid's own icons
    if (box.left < -1 || box.right > vw + 1)
      bad.push(`outside the window (${Math.round(box.left)}–${Math.round(box.right)} px): ${label(item)}`);
    for (const el of [item, ...item.querySelectorAll('*')]) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && el.innerText.trim()) {
        bad.push(`clipped (${el.scrollWidth} > ${el.clientWidth} px): ${label(item)}`);
        break;
      }
    }
  }
  if (main.scrollWidth > main.clientWidth + 1)
    bad.push(`page scrolls sideways: ${main.scrollWidth} > ${main.clientWidth} px`);
  return bad;
}"""


def _text(key: str, lang: str) -> str:
    return STRINGS[key][0 if lang == "ja" else 1]


def _open(page, url: str, name: str, lang: str) -> None:
    """Show page ``name`` in the session: through the sidebar's link (the session, and so
    the language, is kept), else by its URL; done when its title is drawn."""
    link = page.locator(f'[data-testid="stSidebar"] a[href="{name}"]')
    if link.count():
        link.first.click()
    else:
        page.goto(f"{url}/{name}")
    title = _text(PAGES[name], lang)
    page.locator('[data-testid="stMain"] h1').filter(has_text=title).first.wait_for(
        timeout=90_000)
    _settle(page)


def _settle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the script run has finished and the page stopped changing: Streamlit
    shows its running indicator only after a delay, and charts and grids draw after the
    run."""
    size_js = ("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
               " return m.innerText.length + ':' + m.querySelectorAll('*').length; }")
    last, same = None, 0
    for _ in range(timeout_ms // 300):
        wait_idle(page, timeout_ms)
        now = page.evaluate(size_js)
        same = same + 1 if now == last else 0
        if same >= 2:
            return
        last = now
        page.wait_for_timeout(300)
    raise AssertionError("the page kept changing")


def _english(page) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.locator('[data-testid="stSidebar"]').get_by_text("Current plan").wait_for()
    wait_idle(page, 90_000)


def _problems(page, name: str, lang: str) -> list[str]:
    found = []
    text = page.evaluate(TEXT_JS)
    for line in text.splitlines():
        plain = URL.sub(" ", line)
        if m := INTERNAL.search(plain):
            found.append(f"{name}/{lang}: internal name {m.group(0)!r} in {line[:100]!r}")
        if lang == "ja" and (m := ST_ENGLISH.search(line)):
            found.append(f"{name}/{lang}: Streamlit English {m.group(0)!r} in {line[:100]!r}")
        # in English 「None」 can be a word (an option, "no camera"); in Japanese a repr
        if line.strip() in ("None", "nan", "NaN", "<NA>") and (lang == "ja" or line != "None"):
            found.append(f"{name}/{lang}: Python value {line.strip()!r}")
    if name not in TEXT_ONLY:
        found += [f"{name}/{lang}: {p}" for p in page.evaluate(LAYOUT_JS)]
    return found


def _shot(page, name: str, size: tuple[int, int], lang: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"pages_{name}_{size[0]}x{size[1]}_{lang}.png"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    workspace = tmp_path_factory.mktemp("pages") / "ws.duckdb"
    _sample_workspace(workspace)
    with streamlit_server(workspace) as (url, _):
        yield url


def _scan(url: str, size: tuple[int, int], visits: list[tuple[str, str]]) -> list[str]:
    """``visits``: (language, page) in order, Japanese first (a new session's language)."""
    found = []
    with browser_page(size) as page:
        _open(page, url, "home", "ja")
        shown = "ja"
        for lang, name in visits:
            if lang != shown:
                _english(page)
                shown = lang
            _open(page, url, name, lang)
            found += _problems(page, name, lang)
            if name not in TEXT_ONLY:
                _shot(page, name, size, lang)
    return found


def test_every_page_at_1366(server):
    assert _scan(server, (1366, 768), [(lang, name) for lang in ("ja", "en")
                                       for name in PAGES]) == []


def test_wide_pages_at_1920(server):
    """The pages with the widest content (tables, metrics, charts, the uploader)."""
    visits = [("ja", "compare_cases"), ("ja", "export"), ("en", "compare_cases")]
    assert _scan(server, (1920, 1080), visits) == []


def test_uploader_and_empty_dropdown_in_japanese(server):
    """The file uploader (the 出力 page's and the sidebar's plan upload) and a dropdown with
    no match show Japanese: the English is hidden (not in the text) and the translation
    is drawn in its place (the ``::after`` content)."""
    after = ("el => getComputedStyle(el, '::after').content")
    with browser_page((1366, 768)) as page:
        _open(page, server, "export", "ja")
        uploader = page.locator('[data-testid="stMain"] [data-testid="stFileUploaderDropzone"]')
        assert uploader.locator("button [data-testid='stMarkdownContainer']").evaluate(
            after) == '"ファイルを選択"'
        assert uploader.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div"
                                ).evaluate(after) == '"1ファイル200MBまで"'
        assert not ST_ENGLISH.search(uploader.inner_text())
        # the sidebar's plan upload (計画の管理 → 共有), the other uploader of the app
        side = page.locator('[data-testid="stSidebar"]')
        side.get_by_text(_text("plan.manage", "ja")).click()
        side.get_by_role("tab", name=_text("plan.share", "ja")).click()
        side_uploader = side.locator('[data-testid="stFileUploaderDropzone"]')
        side_uploader.wait_for()
        assert not ST_ENGLISH.search(side_uploader.inner_text()), side_uploader.inner_text()
        assert side_uploader.locator("button [data-testid='stMarkdownContainer']").evaluate(
            after) == '"ファイルを選択"'
        # a selectbox whose search matches nothing
        _open(page, server, "grants", "ja")
        box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
        box.click()
        box.locator("input").first.press_sequentially("zzzz")
        empty = page.locator(".equpb2c9")
        empty.wait_for(state="attached")
        assert "No results" not in page.evaluate("() => document.body.innerText")
        assert empty.evaluate(after) == '"' + _text("common.st.no_results", "ja") + '"'
        page.keyboard.press("Escape")
