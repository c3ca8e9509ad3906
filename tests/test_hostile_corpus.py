"""The hostile corpus (``tests/data/bad``, ``MANIFEST.csv``) through the real importers and
through the real page uploaders under AppTest, in Japanese and English.

Each manifest row names a file (the files of one upload joined by ``;``), the importer that
reads it (= the uploader it goes through), the expected outcome (``reject`` / ``accept`` /
``accept_with_warnings``), the problem code the user must be told and its message in both
languages, and for accepts the number of items read. The importer part runs every row; the
page part runs every row the pages take, in both languages, and checks: no exception, the
expected message in that language, nothing from a file rendered as a link, image, HTML or
LaTeX, and the stored plan unchanged on a reject. Large hostile files are generated here.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
import time
import zipfile
from pathlib import Path

import pytest

from assessments.engine.photometry import PhotometryError, read_photometry
from assessments.plan import iotools as imp
from assessments.plan.document import PlanFormatError, parse_plan_json
from assessments.plan.validate import PlanError, validate_plan
from reports.excel_import import device_issues, read_workbook
from ui.strings import load_all

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
MANIFEST = list(csv.DictReader((BAD / "MANIFEST.csv").open(encoding="utf-8")))
BASELINE = json.loads((BAD / "_baseline_plan.json").read_text(encoding="utf-8"))
STRINGS = load_all()
#: the 平面直角座標系 zone of the baseline plan's prefecture (千葉県: IX)
ZONE = 9
#: each file of the corpus must be read within this [s] (the slowest takes ~1 s on 2 cores)
MAX_READ_S = 5.0
GEODATA = ("basemap", "plateau", "terrain", "background", "mbtiles")
#: Markdown, HTML or LaTeX from a file that would render: a link or image to the outside
#: site, an HTML tag, a LaTeX colour. Escaped (``\\[``, ``\\<``, ``\\$``) they show as text.
LIVE = re.compile(r"(?<!\\)\]\((?!\\)|(?<!\\)<\s*(?:img|script|a\s)|(?<!\\)\$\\color|"
                  r"(?<![\\/])evil\.example/t\.png\)")


def rows(importer=None):
    return [r for r in MANIFEST if importer in (None, r["importer"])]


def files(row, folder: Path = BAD) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in row["file"].split(";")}


def _geojson_count(res) -> int:
    return len((res.collection or {}).get("features") or [])


def read(row, folder: Path = BAD) -> tuple[str, list[str], int | None]:
    """Read ``row``'s files with its importer as the page does: ``(outcome, codes, count)``.

    ``count`` is the number of rows / features / plans / photometries read (None for
    geodata without buildings: the manifest does not count layers, terrains or rasters).
    As on the page, a read that gives nothing to import is a rejection."""
    kind, fs = row["importer"], files(row, folder)
    name, data = next(iter(fs.items()))
    if kind in ("cameras", "lights"):
        res = imp.read_point_table(data, name, kind=kind[:-1], prefecture="千葉県")
        n = len(res.rows)
        nothing = not (res.rows or res.needs_geocoding)
    elif kind == "buildings":
        res = imp.read_buildings(data, name)
        n = _geojson_count(res)
        nothing = not n
    elif kind in ("area", "districts"):
        res = imp.read_geojson(data, name, kind=kind)
        n = _geojson_count(res)
        nothing = not n
    elif kind in GEODATA:
        from ui.sim_geodata import read_geodata
        res = read_geodata(kind, fs, BASELINE)
        n = _geojson_count(res) if res.collection else None
        nothing = (res.collection is None and not res.layers and res.terrain is None
                   and res.background is None)
    elif kind == "plan":
        return _read_plan(data)
    elif kind == "photometry":
        try:
            read_photometry(data.decode("utf-8", "replace"))
        except PhotometryError:
            return "reject", ["bad_ies"], 0
        return "accept", [], 1
    else:
        return _read_workbook(data)
    codes = [p.code for p in res.problems]
    if not res.ok or nothing:
        return "reject", codes, 0
    return ("accept_with_warnings" if codes else "accept"), codes, n


def _read_plan(data: bytes):
    notes: list = []
    try:
        plan = parse_plan_json(data, notes)
    except PlanFormatError as exc:
        return "reject", [exc.code], 0
    try:
        validate_plan(plan)
    except PlanError as exc:
        # the sidebar takes a plan without an area (ui.plan_selector._validate)
        issues = [i for i in exc.issues if not (not plan.get("area") and i.field == "area"
                                                and i.code == "missing")]
        if issues:
            return "reject", ["invalid"] + [i.code for i in issues], 0
    return ("accept_with_warnings" if notes else "accept"), [c for c, _ in notes], 1


def _read_workbook(data: bytes):
    res = read_workbook(data)
    codes = [m.code for m in res.messages]
    if not res.ok:
        return "reject", codes, 0
    blocked = device_issues(BASELINE, res)
    if blocked:
        return "reject", codes + [i.code for _, i, _ in blocked], 0
    from reports.excel_import import diff
    return ("accept_with_warnings" if res.warnings else "accept"), codes, len(
        diff(BASELINE, res))


# ------------------------------------------------------------------------ the manifest
def test_the_corpus_is_large_complete_and_small():
    listed = [n for r in MANIFEST for n in r["file"].split(";")]
    on_disk = {p.name for p in BAD.iterdir()
               if not p.name.startswith("_") and p.name != "MANIFEST.csv"}
    assert len(listed) == len(set(listed)) and set(listed) == on_disk
    assert len(listed) >= 150
    assert max((BAD / n).stat().st_size for n in listed) < 210_000   # deep_nesting: 200 kB
    assert sum((BAD / n).stat().st_size >= 100_000 for n in listed) == 1
    # every uploader and every importer has hostile files, rejections and accepts
    for importer in ("cameras", "lights", "buildings", "area", "districts", "basemap",
                     "plateau", "terrain", "background", "mbtiles", "plan", "photometry",
                     "workbook"):
        outcomes = {r["outcome"] for r in rows(importer)}
        assert "reject" in outcomes and outcomes & {"accept", "accept_with_warnings"}, importer


def test_each_expected_message_exists_in_both_languages():
    for r in MANIFEST:
        if r["message_key"]:
            ja, en = STRINGS[r["message_key"]]
            assert r["message_ja"] and r["message_ja"] in ja, r
            assert r["message_en"] and r["message_en"] in en, r


# ------------------------------------------------------------------------ the importers
@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_importer(row):
    """Every file through its importer: the expected outcome and problem, in time."""
    t0 = time.perf_counter()
    outcome, codes, n = read(row)
    took = time.perf_counter() - t0
    assert took < MAX_READ_S, f"{row['file']}: {took:.1f} s"
    # the importer's own outcome (a page may then refuse what was read: a duplicate id,
    # data outside the plan's area; checked under AppTest below)
    assert outcome == row["importer_outcome"], (outcome, codes)
    # the problem, by its code (a ``ui/strings`` key's last part: a plan issue's code)
    if row["code"] and ("." not in row["code"] or outcome == "reject"):
        assert row["code"].rsplit(".", 1)[-1] in codes, codes
    if row["count"] and outcome != "reject":
        assert n == int(row["count"]), n



# ------------------------------------------------------------------------ large files
def _zip(members: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _circle(n: int) -> bytes:
    """A valid ring of ``n`` vertices (radius 0.001°) as a building GeoJSON."""
    ring = [[139.97 + 0.001 * math.cos(2 * math.pi * i / n),
             35.86 + 0.001 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}}]}).encode()


# generated here (too large to commit): (name, importer, bytes, outcome, first problem)
LARGE = [
    # a field of 140,000 characters: the row is named with the limit, the next one read
    ("field_140k.csv", "cameras", lambda: (
        "id,lat,lon,address\nA,35.8676,139.9758," + "x" * 140_000
        + "\nB,35.8676,139.9758,ok\n").encode(), "accept_with_warnings", "field_too_long"),
    # 2,100 members > Limits.max_zip_members = 2,000
    ("members_2100.zip", "basemap", lambda: _zip(
        {f"m{i}.xml": b"" for i in range(2100)}, zipfile.ZIP_STORED), "reject", "zip_bomb"),
    # 300 MB of spaces deflated to 0.3 MB > Limits.max_uncompressed_bytes = 200 MB
    ("bomb_300mb.zip", "plateau", lambda: _zip(
        {"udx/bldg/53394611_bldg_6697_op.gml": b"<a>" + b" " * 300_000_000 + b"</a>"}),
     "reject", "zip_bomb"),
    # 30,000 vertices > Limits.max_vertices_per_feature = 20,000
    ("vertices_30000.geojson", "buildings", lambda: _circle(30_000), "reject",
     "too_many_vertices"),
]


@pytest.mark.parametrize("name, importer, make, outcome, code", LARGE,
                         ids=[c[0] for c in LARGE])
def test_large_generated_file(name, importer, make, outcome, code, tmp_path):
    (tmp_path / name).write_bytes(make())
    row = {"file": name, "importer": importer}
    t0 = time.perf_counter()
    got, codes, _ = read(row, folder=tmp_path)
    assert time.perf_counter() - t0 < MAX_READ_S
    assert (got, codes[0]) == (outcome, code)


def test_a_100000_character_plan_name_is_cut_and_said():
    notes: list = []
    plan = parse_plan_json(json.dumps({"version": 1, "name": "名" * 100_000}), notes)
    # document.MAX_NAME_CHARS = 120, and the sidebar says so (plan.name_shortened)
    assert len(plan["name"]) == 120 and notes == [("name_shortened", 120)]


# ------------------------------------------------------------------------ the pages
#: what each page says when it refuses a file and keeps the plan ("計画は変更していません")
UNCHANGED = {"sim": "sim.io.failed", "plan": "plan.unchanged", "workbook": "export.rejected"}
SIM_KINDS = ("cameras", "lights", "buildings", "area", "districts", *GEODATA)
#: Problems the シミュレーション page does not list after an import (how the file was read,
#: features of other classes)
UNLISTED = {"encoding", "delimiter", "needs_geocoding", "ignored_features"}
MIME = "application/octet-stream"
#: An upload's own name is user text: a link, an image, HTML and LaTeX (no "/": a name)
EVIL_NAME = r"[x](https:evil.example) ![x](https:evil.example) <img src=x> $\color{red}{X}$"


def _plain(text: str) -> str:
    """``text`` as shown: Markdown backslash escapes removed (CommonMark §2.4)."""
    return re.sub(r"\\(.)", r"\1", text)


def _bodies(at) -> list[str]:
    """The Markdown source of every element of the page (markdown, captions, alerts …)."""
    out = []

    def walk(node):
        body = getattr(getattr(node, "proto", None), "body", None)
        if isinstance(body, str) and body:
            out.append(body)
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return out


def _live(bodies) -> list[str]:
    """Bodies where a payload of the corpus (``evil.example``, ``\\color``) would render:
    a link or image target, an HTML tag or LaTeX not escaped."""
    live = re.compile(r"(?<!\\)\]\(https?|(?<!\\)<img|(?<!\\)\$\\color")
    return [b for b in bodies if ("evil" in b or "color" in b) and live.search(b)]


def _messages(at) -> dict[str, str]:
    return {kind: "\n".join(_plain(e.value) for e in getattr(at, kind))
            for kind in ("error", "warning", "success", "info")}


def _text(key: str, lang: str, **fmt) -> str:
    ja, en = STRINGS[key]
    text = ja if lang == "ja" else en
    return re.split(r"\{[^}]*\}", text)[-1 if text.startswith("{") else 0].strip() or text


class Workspace:
    """The test's workspace (``MIMAMORI_WORKSPACE``), opened for one look."""

    def __enter__(self):
        import os
        from datasets.workspace import Workspace as WS
        self.ws = WS(Path(os.environ["MIMAMORI_WORKSPACE"]))
        return self.ws

    def __exit__(self, *exc):
        self.ws.close()


def _store_baseline() -> str:
    with Workspace() as ws:
        return ws.add_plan(copy.deepcopy(BASELINE))["id"]


def _stored(plan_id: str) -> dict:
    with Workspace() as ws:
        return ws.get_plan(plan_id)


def _restore(plan_id: str) -> None:
    def back(p):
        p.clear()
        p.update(copy.deepcopy(BASELINE))
    with Workspace() as ws:
        ws.update_plan(plan_id, back)


def _check(row, at, lang, before, after, failures) -> None:
    """One upload's page: no exception, the expected outcome and message in ``lang``,
    nothing rendered from the file, the plan kept on a refusal."""
    where = f"{lang} {row['file']}"
    if at.exception:
        failures.append(f"{where}: exception {at.exception[0].value}")
        return
    msgs = _messages(at)
    live = _live(_bodies(at))
    if live:
        failures.append(f"{where}: rendered from the file: {live[0][:200]!r}")
    fragment = row["message_" + lang]
    kind = row["importer"]
    page = "sim" if kind in SIM_KINDS else "workbook" if kind == "workbook" else "plan"
    if row["outcome"] == "reject":
        said = msgs["error"]
        if _text(UNCHANGED[page], lang) not in said:
            failures.append(f"{where}: no 'plan unchanged' refusal: {msgs}")
        if fragment and fragment not in said:
            failures.append(f"{where}: {fragment!r} not said: {said[:300]!r}")
        if before != after:
            failures.append(f"{where}: the plan changed on a refusal")
    else:
        if msgs["error"]:
            failures.append(f"{where}: refused: {msgs['error'][:300]!r}")
        if (fragment and row["outcome"] == "accept_with_warnings"
                and row["code"] not in UNLISTED and page != "workbook"
                and fragment not in msgs["warning"] + msgs["success"] + msgs["info"]):
            failures.append(f"{where}: {fragment!r} not said: {msgs}")


def _offered(row) -> bool:
    """Whether the page's uploader takes ``row``'s files (the browser offers only the
    types it names)."""
    from reports.excel_import import UPLOAD_TYPES
    from ui.sim_import import IMPORT_TYPES
    types = {"plan": ["json"], "photometry": ["ies", "ldt"], "workbook": UPLOAD_TYPES,
             **IMPORT_TYPES}[row["importer"]]
    return all(n.rsplit(".", 1)[-1].lower() in types for n in row["file"].split(";"))


def _upload(at, key: str, fs: dict) -> None:
    up = at.file_uploader(key=key)
    items = [(n, d, MIME) for n, d in fs.items()]
    up.set_value(items if up.accept_multiple_files else items[0])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_simulation_page_uploaders(lang):
    """Every corpus file of the シミュレーション page's uploaders (tables, buildings, area,
    districts and a town's geodata), one after another in one session."""
    from streamlit.testing.v1 import AppTest
    plan_id = _store_baseline()
    at = AppTest.from_file(str(ROOT / "pages" / "simulate.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["plan_id"] = plan_id
    at.run()
    assert not at.exception
    failures, n = [], 0
    for row in [r for r in MANIFEST if r["importer"] in SIM_KINDS and _offered(r)]:
        kind = row["importer"]
        box = at.selectbox(key=f"sim.io_kind@{plan_id}.{lang}")
        if box.value != kind:
            box.set_value(kind).run()
        before = _stored(plan_id)
        _upload(at, f"sim.io_file_{kind}@{plan_id}.{lang}", files(row))
        at.run()
        after = _stored(plan_id)
        _check(row, at, lang, before, after, failures)
        if after != before:
            _restore(plan_id)
        n += 1
    # the file's own name is user text too
    box.set_value("cameras").run()
    _upload(at, f"sim.io_file_cameras@{plan_id}.{lang}", {EVIL_NAME + ".csv": b""})
    at.run()
    assert not _live(_bodies(at)) and EVIL_NAME in _messages(at)["error"]
    assert n >= 150 and not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_plan_upload(lang):
    """Every plan file and every IES / EULUMDAT file (as a light's photometry in a plan)
    through the sidebar's plan upload, on ホーム: a refusal adds no plan and keeps the
    current one; an accepted plan becomes the current one and ホーム draws it."""
    from streamlit.testing.v1 import AppTest
    plan_id = _store_baseline()
    at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["plan_id"] = plan_id
    at.run()
    assert not at.exception
    failures, n = [], 0
    for row in [r for r in MANIFEST if r["importer"] in ("plan", "photometry")]:
        with Workspace() as ws:
            before = [p["id"] for p in ws.list_plans()]
        current = at.session_state["plan_id"]
        stored = _stored(current)
        name, data = next(iter(files(row).items()))
        if row["importer"] == "photometry":     # a light whose photometry is the file
            plan = copy.deepcopy(BASELINE)
            plan.pop("id")
            plan["lights"] = [{"id": "L1", "lat": 35.8677, "lon": 139.9757,
                               "mount_height_m": 5.0,
                               "ies": data.decode("utf-8", "replace")}]
            name, data = name + ".json", json.dumps(plan, ensure_ascii=False).encode()
        at.file_uploader(key="plan_upload").set_value((name, data, "application/json"))
        at.run()
        with Workspace() as ws:
            after = [p["id"] for p in ws.list_plans()]
        if row["outcome"] == "reject":
            _check(row, at, lang, stored, _stored(current), failures)
            if after != before or at.session_state["plan_id"] != current:
                failures.append(f"{lang} {row['file']}: a plan was added or switched")
        else:
            _check(row, at, lang, None, None, failures)
            if len(after) != len(before) + 1 or at.session_state["plan_id"] == current:
                failures.append(f"{lang} {row['file']}: the plan was not added")
        n += 1
    assert n >= 45 and not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_export_page_upload(lang):
    """Every workbook of the corpus through the 出力 page's upload: refusals say so and
    offer nothing to apply; accepts show their changes; the stored plan never changes
    (nothing is applied without the button)."""
    from streamlit.testing.v1 import AppTest
    plan_id = _store_baseline()
    at = AppTest.from_file(str(ROOT / "pages" / "export.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["plan_id"] = plan_id
    at.run()
    assert not at.exception
    failures, n = [], 0
    rows_ = [r for r in MANIFEST if r["importer"] == "workbook"
             or (r["importer"] in ("cameras", "lights") and r["file"].endswith(".xlsx"))]
    for row in [r for r in rows_ if _offered(dict(r, importer="workbook"))]:
        before = _stored(plan_id)
        name, data = next(iter(files(row).items()))
        at.file_uploader(key="export_upload").set_value((name, data, MIME))
        at.run()
        if row["importer"] == "workbook":
            _check(row, at, lang, before, _stored(plan_id), failures)
            if row["outcome"] != "reject" and row["count"] == "0" and \
                    _text("export.no_changes", lang) not in _messages(at)["info"]:
                failures.append(f"{lang} {row['file']}: 'no changes' not said")
            if row["outcome"] == "reject" and [b for b in at.button if b.key == "export_apply"]:
                failures.append(f"{lang} {row['file']}: a refused workbook can be applied")
        elif at.exception or _live(_bodies(at)) or _stored(plan_id) != before:
            # a camera table is no plan workbook: refused or shown, never a crash
            failures.append(f"{lang} {row['file']}: {at.exception or _live(_bodies(at))}")
        n += 1
    assert n >= 30 and not failures, "\n".join(failures)
