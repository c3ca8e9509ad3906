"""Two plans that differ on every field a page edits, for the plan- and language-switch tests
(``tests/test_page_switching.py`` under AppTest, ``tests/test_browser_plan_switch.py`` in
Chromium), and a byte-exact snapshot of what the workspace file stores."""
from __future__ import annotations

from pathlib import Path

import duckdb

from assessments.plan.document import new_plan
from datasets.workspace import Workspace

KASHIWA = {"code": "122173", "prefecture": "千葉県", "name": "柏市", "lat": 35.8676,
           "lon": 139.9758}
CHOFU = {"code": "132080", "prefecture": "東京都", "name": "調布市", "lat": 35.6506,
         "lon": 139.5407}


def _square(lat: float, lon: float, half_deg: float = 0.0006) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [lon - half_deg, lat - half_deg], [lon + half_deg, lat - half_deg],
        [lon + half_deg, lat + half_deg], [lon - half_deg, lat + half_deg],
        [lon - half_deg, lat - half_deg]]]}


def _camera(cid: str, lat: float, lon: float, azimuth: float, model: str, price: int) -> dict:
    return {"id": cid, "lat": lat, "lon": lon, "mount_height_m": 5.0, "azimuth_deg": azimuth,
            "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920, "height_px": 1080,
            "model": model, "address": f"{cid} の設置場所", "use_case": "",
            "unit_price_jpy": price}


def plan_a() -> dict:
    """Plan A: 柏市, 災害監視 + 人流計測, 規則, implementation stage, two cameras."""
    p = new_plan("A 柏の葉 災害監視", municipality=KASHIWA)
    lat, lon = KASHIWA["lat"], KASHIWA["lon"]
    p.update(
        project={"title": "A 見守り事業", "purpose": "A 災害時の状況把握", "issues": "A 浸水",
                 "target_state": "A 安全な街", "start_fy": 2026, "applicant": "A 柏市"},
        use_cases=["disaster_monitoring", "people_count"],
        grant={"scheme_id": "shinchiho_digital_a", "stage": "implementation"},
        area=_square(lat, lon), resolution_m=2.0,
        cameras=[_camera("C1", lat, lon, 90.0, "AX-100", 400_000),
                 _camera("C2", lat + 0.0003, lon, 180.0, "AX-100", 400_000)],
        lights=[{"id": "L1", "lat": lat, "lon": lon + 0.0002, "mount_height_m": 6.0,
                 "intensity_cd": 300.0}],
        costs={"years": 5,
               "items": [{"category": "pole", "name": "A ポール", "unit_price_jpy": 150_000,
                          "quantity": 2}],
               "running": [{"category": "electricity", "name": "A 電気代",
                            "annual_jpy": 120_000}]},
        kpis=[{"name": "A 刑法犯認知件数", "unit": "件", "baseline": 120,
               "targets": [110, 100, 90]}],
        schedule=[{"task": "A 設計", "start": "2026-04", "end": "2026-09"}],
        readiness={"answers": {"vision_1": {"level": 3, "evidence": "A 総合計画"},
                               "organisation_1": {"level": 1, "evidence": ""}}},
        privacy={"answers": {"P01": {"status": "done", "evidence": "A 要綱", "owner": "A 課",
                                     "due": "2026-06"},
                             "P05": {"status": "partial", "evidence": "", "owner": "",
                                     "due": ""}},
                 "settings": {"retention_days": 14, "manager": "A 防災安全課長",
                              "legal_form": "rules", "purpose": "A 防犯",
                              "locations": "A 駅前", "audio": True, "live_viewing": False}},
    )
    return p


def plan_b() -> dict:
    """Plan B: 調布市, 顔識別, 条例, demonstration stage (renewal), one camera."""
    p = new_plan("B 調布 顔識別", municipality=CHOFU)
    lat, lon = CHOFU["lat"], CHOFU["lon"]
    p.update(
        project={"title": "B 実証事業", "purpose": "B 犯罪の抑止", "issues": "B 暗がり",
                 "target_state": "B 見守られた街", "start_fy": 2027, "applicant": "B 調布市"},
        use_cases=["face_identification"],
        grant={"scheme_id": "tokyo_mimamori", "stage": "demonstration", "renewal": True},
        area=_square(lat, lon, 0.0005), resolution_m=2.0,
        cameras=[_camera("C1", lat, lon, 45.0, "BX-20", 250_000)],
        lights=[],
        costs={"years": 3,
               "items": [{"category": "installation", "name": "B 設置工事",
                          "unit_price_jpy": 300_000, "quantity": 1}],
               "running": [{"category": "maintenance", "name": "B 保守",
                            "annual_jpy": 50_000}]},
        kpis=[{"name": "B 来街者数", "unit": "人", "baseline": 5000,
               "targets": [5500, 6000, 6500, 7000]}],
        schedule=[{"task": "B 実証", "start": "2027-04", "end": "2028-03"}],
        readiness={"answers": {"vision_1": {"level": 1, "evidence": "B 構想"},
                               "issues_1": {"level": 4, "evidence": "B 調査"}}},
        privacy={"answers": {"P01": {"status": "todo", "evidence": "", "owner": "B 係",
                                     "due": ""}},
                 "settings": {"retention_days": 30, "manager": "B 生活文化課長",
                              "legal_form": "ordinance", "contact": "B 窓口",
                              "statistics_only": False}},
    )
    return p


def store_two_plans(path: Path) -> tuple[str, str]:
    """Store plans A and B in the workspace file ``path``; returns their ids."""
    ws = Workspace(path)
    try:
        a = ws.add_plan(plan_a())
        b = ws.add_plan(plan_b())
    finally:
        ws.close()
    return a["id"], b["id"]


def stored_rows(path: Path) -> dict[str, tuple[int, str]]:
    """``{plan id: (revision, stored JSON text)}`` as the workspace file holds them (read
    with a read-only connection: call it while no server has the file open)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {pid: (rev, data) for pid, rev, data in
                con.execute("SELECT id, revision, data FROM plans").fetchall()}
    finally:
        con.close()
