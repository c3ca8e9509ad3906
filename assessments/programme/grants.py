"""Grant matcher: which 補助金・交付金 fit a project, and how the cost is shared.

Pure functions over plain dicts (rows of ``datasets/grant_schemes.csv``,
``grant_shares.csv`` and ``grant_scheme_scope.csv``); no Streamlit, no database. Reasons are
returned as codes with parameters so that the UI translates them (``compare.reason.<code>``).

Share arithmetic
----------------
``eligible_cost = min(total_cost, project_cost_cap, camera_count × per_camera_cap)``
(each cap only when given). Then, in this order of precedence:

1. ``fixed_amount_jpy`` (定額 per site): ``grant = fixed × sites`` (never above the cost).
2. payer shares (``grant_shares``; e.g. 東京都 1/2, 市 1/3, 団体 1/6): every public payer pays
   ``share × eligible_cost``; the upper payer's part is capped by ``cap_jpy``.
3. ``rate``: ``grant = min(rate × eligible_cost, cap_jpy)``.
4. no rate, no fixed amount: the grant is unknown (``None``); ``cap_jpy`` is reported as an
   upper bound.

The applicant (for national schemes: the municipality, 地方負担) pays ``total − grant``,
including any cost above the caps.

References
----------
.. [1] shared/reference/facts.md §1a (national schemes) and §1b (防犯カメラ subsidies),
   sources in the ``source`` column of each scheme row.
.. [2] 日本防犯設備協会 防犯システム委員会『スーパー・スマートシティに向けた新たな防犯ソリューションの
   調査、研究』2024-03-31, ヒアリング結果 (柏の葉) □国の採択件取得へのアプローチ.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

STAGES = ("demonstration", "implementation")
DATA_PLATFORM = ("has", "plans", "none")
APPLICANTS = ("municipality", "prefecture", "municipal_group", "private", "university",
              "consortium", "neighbourhood_association", "shopping_street", "pta",
              "community_group")
DOMAINS = ("crime_prevention", "watching", "people_flow", "disaster", "mobility", "health",
           "tourism", "government", "energy", "infrastructure")

#: reason kinds: "block" makes a scheme ineligible; "condition" must be met when applying;
#: "info" explains the arithmetic.
BLOCK, CONDITION, INFO = "block", "condition", "info"


@dataclass(frozen=True)
class Project:
    """What the user tells the matcher about the project.

    Parameters
    ----------
    stage : {"demonstration", "implementation"}
        実証 or 実装.
    total_cost_jpy : float
        Total project cost to be funded [円].
    years : int
        Years the project (and its operation) is planned to run [year].
    data_platform : {"has", "plans", "none"}
        Whether a データ連携基盤 exists, is planned, or neither.
    applicant : str
        One of :data:`APPLICANTS`.
    domains : tuple of str
        Subset of :data:`DOMAINS`.
    camera_count : int
        Cameras in the project [台].
    sites : int, optional
        Installation sites for per-site fixed amounts [か所]; default = ``camera_count``
        (at least 1).
    prefecture : str, optional
        Prefecture of the project (``東京都``); empty = unknown (area checks skipped).
    municipality_code : str, optional
        地方公共団体コード (6 digits); empty = unknown.
    renewal : bool
        Camera renewal (更新) rather than first installation: selects the ``renewal`` share
        variant where one exists.
    """

    stage: str
    total_cost_jpy: float
    years: int = 1
    data_platform: str = "none"
    applicant: str = "municipality"
    domains: tuple = ()
    camera_count: int = 0
    sites: int | None = None
    prefecture: str = ""
    municipality_code: str = ""
    renewal: bool = False


@dataclass
class Match:
    """The matcher's verdict on one scheme (amounts in 円, ``None`` = unknown)."""

    scheme_id: str
    eligible: bool
    offered: bool
    reasons: list = field(default_factory=list)     # [(kind, code, params)]
    eligible_cost_jpy: float | None = None
    grant_jpy: float | None = None                  # all public payers together
    national_share_jpy: float | None = None         # part paid by the national government
    applicant_share_jpy: float | None = None        # total − grant (地方負担 / 自己負担)
    shares: list = field(default_factory=list)      # [{payer, payer_ja, payer_en, share, amount_jpy}]
    grant_upper_bound_jpy: float | None = None
    fiscal_year: int | None = None
    verified: bool = True


def _num(value):
    """Float or ``None`` for empty / NaN / None cells."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    if value is None:
        return False
    try:
        if math.isnan(value):
            return False
    except TypeError:
        pass
    return bool(value)


def _list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _clean(rows) -> list[dict]:
    """Copies of the rows with NaN (pandas' empty cell) turned into None."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in dict(r).items()}
            for r in rows]


def check_project(project: Project) -> None:
    """Validate a :class:`Project`.

    Raises
    ------
    ValueError
        Naming the offending field and the allowed values.
    """
    if project.stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {project.stage!r}")
    if project.data_platform not in DATA_PLATFORM:
        raise ValueError(f"data_platform must be one of {DATA_PLATFORM}, "
                         f"got {project.data_platform!r}")
    if project.applicant not in APPLICANTS:
        raise ValueError(f"applicant must be one of {APPLICANTS}, got {project.applicant!r}")
    bad = [d for d in project.domains if d not in DOMAINS]
    if bad:
        raise ValueError(f"domains must be among {DOMAINS}, got {bad}")
    if not (project.total_cost_jpy >= 0):
        raise ValueError(f"total_cost_jpy must be >= 0, got {project.total_cost_jpy}")
    if project.years < 1:
        raise ValueError(f"years must be >= 1, got {project.years}")
    if project.camera_count < 0:
        raise ValueError(f"camera_count must be >= 0, got {project.camera_count}")


def _scope_reasons(project: Project, scopes: list[dict]) -> list:
    """Area, applicant, domain and cost-type checks against the scheme's scope rows."""
    if not scopes:
        return []
    reasons = []
    in_area = [s for s in scopes
               if (not project.prefecture or not s.get("prefecture")
                   or s.get("prefecture") == project.prefecture)
               and (not project.municipality_code or not s.get("municipality_code")
                    or s.get("municipality_code") == project.municipality_code)]
    if not in_area:
        areas = sorted({s.get("municipality_code") or s.get("prefecture") or "" for s in scopes})
        reasons.append((BLOCK, "outside_area", {"areas": ", ".join(areas)}))
        in_area = scopes
    applicants = sorted({a for s in in_area for a in _list(s.get("applicant_types"))})
    if project.applicant not in applicants:
        reasons.append((BLOCK, "applicant_not_eligible",
                        {"applicant": project.applicant, "allowed": ", ".join(applicants)}))
    domains = sorted({d for s in in_area for d in _list(s.get("domains"))})
    if domains and not set(domains) & set(project.domains):
        reasons.append((BLOCK, "domain_mismatch", {"domains": ", ".join(domains)}))
    if all(s.get("cost_type") == "maintenance" for s in in_area):
        reasons.append((BLOCK, "maintenance_only", {}))
    return reasons


def _shares_for(scheme_id: str, shares: list[dict], renewal: bool) -> list[dict]:
    rows = [s for s in shares if s.get("scheme_id") == scheme_id]
    if not rows:
        return []
    variants = [s.get("variant") for s in rows]
    want = "renewal" if renewal and "renewal" in variants else "standard"
    return [s for s in rows if s.get("variant") == want]


def _money(project: Project, scheme: dict, share_rows: list[dict], reasons: list) -> dict:
    """Eligible cost, grant and shares of one scheme (see the module docstring)."""
    total = float(project.total_cost_jpy)
    eligible = total
    pcap = _num(scheme.get("project_cost_cap_jpy"))
    if pcap is not None and eligible > pcap:
        eligible = pcap
        reasons.append((INFO, "project_cost_capped", {"cap": pcap}))
    per_cam = _num(scheme.get("per_camera_cap_jpy"))
    if per_cam is not None and project.camera_count > 0 and eligible > per_cam * project.camera_count:
        eligible = per_cam * project.camera_count
        reasons.append((INFO, "per_camera_capped",
                        {"per_camera": per_cam, "cameras": project.camera_count,
                         "cap": per_cam * project.camera_count}))
    cap = _num(scheme.get("cap_jpy"))
    rate = _num(scheme.get("rate"))
    fixed = _num(scheme.get("fixed_amount_jpy"))
    national = scheme.get("level") == "national"
    out = {"eligible": eligible, "grant": None, "national": None, "shares": [], "upper": None}
    if fixed is not None:
        sites = project.sites if project.sites is not None else max(project.camera_count, 1)
        grant = min(fixed * sites, total)
        reasons.append((INFO, "fixed_per_site", {"amount": fixed, "sites": sites}))
        out["grant"] = grant
    elif share_rows:
        public, shares = 0.0, []
        upper_done = False
        for s in share_rows:
            frac = _fraction(s)
            amount = float(math.floor(frac * Fraction(eligible)))  # 1円未満切捨て
            if s.get("payer") != "applicant":
                if not upper_done and cap is not None and amount > cap:
                    amount = cap
                    reasons.append((INFO, "grant_capped", {"cap": cap}))
                upper_done = True
                public += amount
                shares.append({**_payer(s), "share": float(frac), "amount_jpy": amount})
        out["grant"] = public
        out["shares"] = shares
        reasons.append((INFO, "shares", {"text": " / ".join(
            f"{s.get('payer_ja')} {s.get('share_text')}" for s in share_rows)}))
    elif rate is not None:
        grant = float(math.floor(rate * eligible + 1e-6))  # 1円未満切捨て
        if cap is not None and grant > cap:
            grant = cap
            reasons.append((INFO, "grant_capped", {"cap": cap}))
        reasons.append((INFO, "rate", {"rate": rate, "text": scheme.get("rate_text_ja") or ""}))
        out["grant"] = grant
    else:
        reasons.append((INFO, "rate_unknown", {"text": scheme.get("rate_text_ja") or ""}))
        out["upper"] = cap
    if out["grant"] is not None:
        out["grant"] = min(out["grant"], total)
        if not out["shares"]:
            payer = ("national", "国", "national government") if national else \
                ("prefecture" if scheme.get("level") == "prefecture" else "municipality",
                 scheme.get("body_ja") or "", scheme.get("body_ja") or "")
            out["shares"] = [{"payer": payer[0], "payer_ja": payer[1], "payer_en": payer[2],
                              "share": out["grant"] / total if total else 0.0,
                              "amount_jpy": out["grant"]}]
        out["national"] = out["grant"] if national else 0.0
        applicant = total - out["grant"]
        out["shares"].append({"payer": "applicant", "payer_ja": "申請者", "payer_en": "applicant",
                              "share": applicant / total if total else 0.0,
                              "amount_jpy": applicant})
    return out


def _fraction(row: dict) -> Fraction:
    """The share as an exact fraction (``share_text`` such as ``1/6``, else ``share``)."""
    text = str(row.get("share_text") or "").strip()
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return Fraction(_num(row.get("share")) or 0.0).limit_denominator(1000)


def _payer(row: dict) -> dict:
    return {"payer": row.get("payer"), "payer_ja": row.get("payer_ja"),
            "payer_en": row.get("payer_en")}


def match_scheme(project: Project, scheme: dict, *, shares=(), scopes=(),
                 scheme_ids=()) -> Match:
    """Check one scheme against the project and compute the shares.

    Parameters
    ----------
    project : Project
    scheme : dict
        One row of ``grant_schemes``.
    shares, scopes : sequence of dict
        All rows of ``grant_shares`` / ``grant_scheme_scope`` (filtered here).
    scheme_ids : collection of str
        Ids of all schemes loaded, to tell whether a successor exists.

    Returns
    -------
    Match
        ``offered`` equals ``eligible`` here; :func:`match_schemes` withdraws offers that
        ``exclusive_with`` forbids.
    """
    sid = scheme["id"]
    reasons: list = []
    stage = scheme.get("stage")
    if stage in STAGES and stage != project.stage:
        reasons.append((BLOCK, "stage_mismatch", {"scheme_stage": stage, "project_stage": project.stage}))
    successor = scheme.get("successor_id") or ""
    if isinstance(successor, float):
        successor = ""
    if successor and successor in scheme_ids:
        reasons.append((BLOCK, "superseded", {"successor": successor}))
    if _bool(scheme.get("requires_data_platform")):
        if project.data_platform == "none":
            reasons.append((BLOCK, "needs_data_platform", {}))
        elif project.data_platform == "plans":
            reasons.append((CONDITION, "data_platform_planned", {}))
        else:
            reasons.append((INFO, "data_platform_ok", {}))
    min_cost = _num(scheme.get("min_project_cost_jpy"))
    if min_cost is not None and project.total_cost_jpy < min_cost:
        reasons.append((BLOCK, "below_min_cost", {"min": min_cost, "cost": project.total_cost_jpy}))
    for column, code in (("kpi_years", "kpi_years"), ("operation_years", "operation_years")):
        need = _num(scheme.get(column))
        if need is not None:
            if project.years < need:
                reasons.append((BLOCK, f"{code}_short", {"need": int(need), "years": project.years}))
            else:
                reasons.append((CONDITION, code, {"need": int(need)}))
    duration = _num(scheme.get("duration_years"))
    if duration is not None and duration < project.years:
        reasons.append((INFO, "single_year" if duration == 1 else "duration",
                        {"duration": int(duration), "years": project.years}))
    my_scopes = [s for s in scopes if s.get("scheme_id") == sid]
    reasons += _scope_reasons(project, my_scopes)
    cam_scheme = bool(_num(scheme.get("per_camera_cap_jpy"))) or any(
        "crime_prevention" in _list(s.get("domains")) for s in my_scopes)
    if cam_scheme and project.camera_count < 1:
        reasons.append((BLOCK, "no_cameras", {}))
    if _bool(scheme.get("consortium_required")):
        reasons.append((CONDITION, "consortium", {}))
    if _bool(scheme.get("residents_consent_required")):
        reasons.append((CONDITION, "residents_consent", {}))
    if not _bool(scheme.get("verified")):
        reasons.append((INFO, "unverified", {}))
    money = _money(project, scheme, _shares_for(sid, shares, project.renewal), reasons)
    eligible = not any(kind == BLOCK for kind, _, _ in reasons)
    fy = _num(scheme.get("fiscal_year"))
    return Match(scheme_id=sid, eligible=eligible, offered=eligible, reasons=reasons,
                 eligible_cost_jpy=money["eligible"], grant_jpy=money["grant"],
                 national_share_jpy=money["national"],
                 applicant_share_jpy=(None if money["grant"] is None
                                      else project.total_cost_jpy - money["grant"]),
                 shares=money["shares"], grant_upper_bound_jpy=money["upper"],
                 fiscal_year=None if fy is None else int(fy),
                 verified=_bool(scheme.get("verified")))


def match_schemes(project: Project, schemes, *, shares=(), scopes=()) -> list[Match]:
    """Every scheme ranked: eligible first, larger grant first, unknown amounts last.

    Schemes that ``exclusive_with`` forbids together with a better-ranked offered scheme are
    kept in the list but not offered (``offered = False``, reason ``exclusive_with``).

    Raises
    ------
    ValueError
        When the project is invalid (see :func:`check_project`).
    """
    check_project(project)
    schemes, shares, scopes = _clean(schemes), _clean(shares), _clean(scopes)
    ids = {s["id"] for s in schemes}
    by_id = {s["id"]: s for s in schemes}
    results = [match_scheme(project, s, shares=shares, scopes=scopes, scheme_ids=ids)
               for s in schemes]

    def key(m: Match):
        grant = m.grant_jpy if m.grant_jpy is not None else -1.0
        return (not m.eligible, -grant, not m.verified, m.scheme_id)

    results.sort(key=key)
    def specific(m: Match) -> bool:
        return bool(project.municipality_code) and any(
            s.get("scheme_id") == m.scheme_id and s.get("municipality_code") == project.municipality_code
            for s in scopes)

    offered: list[str] = []
    # a scheme run by the project's own municipality wins over the generic version it
    # excludes (e.g. 調布市's run of the 東京都 見守り scheme over the 都-wide row)
    for m in sorted(results, key=lambda m: not specific(m)):
        if not m.eligible:
            continue
        excl = set(_list(by_id[m.scheme_id].get("exclusive_with")))
        clash = [o for o in offered if o in excl
                 or m.scheme_id in _list(by_id[o].get("exclusive_with"))]
        if clash:
            m.offered = False
            m.reasons.append((BLOCK, "exclusive_with", {"other": clash[0]}))
        else:
            offered.append(m.scheme_id)
    results.sort(key=lambda m: (not m.offered,) + key(m))
    return results


def allowed_together(a: str, b: str, schemes) -> bool:
    """Whether two schemes may be combined (neither lists the other in ``exclusive_with``)."""
    by_id = {s["id"]: s for s in schemes}
    return (b not in _list(by_id[a].get("exclusive_with"))
            and a not in _list(by_id[b].get("exclusive_with")))


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:\s*(?:→|〜|~|-)\s*(?:(\d{4})-)?(\d{2})-(\d{2}))?")


def calendar(matches, schemes) -> list[dict]:
    """Application-calendar entries of the offered schemes.

    Returns
    -------
    list of dict
        ``{scheme_id, timing_ja, fiscal_year, start, end}``; ``start``/``end`` are ISO dates
        (``YYYY-MM-DD``) parsed from the timing text when it contains one, else ``None``.
        Sorted by start date (undated last).
    """
    by_id = {s["id"]: s for s in schemes}
    out = []
    for m in matches:
        if not m.offered:
            continue
        text = by_id[m.scheme_id].get("application_timing_ja") or ""
        if isinstance(text, float):
            text = ""
        start = end = None
        hit = _ISO.search(text)
        if hit:
            y, mo, d, y2, mo2, d2 = hit.groups()
            start = f"{y}-{mo}-{d}"
            end = f"{y2 or y}-{mo2}-{d2}" if mo2 else start
        out.append({"scheme_id": m.scheme_id, "timing_ja": text, "fiscal_year": m.fiscal_year,
                    "start": start, "end": end})
    out.sort(key=lambda e: (e["start"] is None, e["start"] or ""))
    return out
