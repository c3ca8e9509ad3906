"""Grant matcher: which 補助金・交付金 fit a project, and how the cost is shared.

Pure functions over plain dicts (rows of ``datasets/grant_schemes.csv``,
``grant_shares.csv`` and ``grant_scheme_scope.csv``); no Streamlit, no database. Reasons are
returned as codes with parameters so that the UI translates them (``compare.reason.<code>``).

Grant arithmetic (the one place; the Excel 事業費 formulas mirror it)
---------------------------------------------------------------------
All amounts [円, 税込 as entered]; the costs come from
:func:`assessments.programme.costs.plan_costs`.

1. ``basis`` = initial cost (初期費用), plus the running cost over the plan's years only when
   the scheme covers running costs (``covers_running``).
2. ``eligible`` (補助対象経費) = min(basis, ``project_cost_cap_jpy``,
   ``per_camera_cap_jpy`` × cameras), each cap only when given.
3. The grant before the limits, by the first rule that applies:

   a. ``fixed_amount_jpy`` (定額 per site): ``fixed`` for the first site and
      ``fixed_amount_next_jpy`` (default: ``fixed``) for each further one, over
      ``min(sites, max_sites)`` sites; never above ``eligible`` (the amount is paid "out of"
      the eligible cost, e.g. 加古川市: 1か所目 12万円, 2か所目以降 8万円 (上限)).
   b. payer shares (``grant_shares``; e.g. 都 1/2, 市 1/3, 団体 1/6): every public payer's
      part is ``share × eligible``, at most the row's ``cap_jpy`` (東京都's part ≤ 300万円).
   c. ``rate``: ``rate × eligible``.
   d. none of these: the grant is unknown (``None``); ``cap_jpy`` is reported as an upper
      bound.
4. ``grant`` = min(that, ``cap_jpy``) (補助限度額), rounded down to ``rounding_unit_jpy``
   (1 円; 1,000 円 where the scheme says 千円未満切捨て).
5. Payer split of a shared grant: each public payer but the last gets its part rounded down
   to the unit (never more than what is left of the grant); the last public payer gets the
   rest, so the parts add up to the grant.
6. The applicant (for national schemes the municipality, 地方負担) pays ``basis − grant`` of
   the basis, and every cost outside it (the running cost of a scheme that does not cover
   it), i.e. ``total − grant`` of the whole project.

Shares and rates are exact fractions (``share_text`` ``7/12``; a rate 0.6666667 is 2/3), so
7/12 of 1,200,000 円 is 700,000 円, not 699,999 円.

References
----------
.. [1] The ``source`` column of each scheme row (official pages where found, with the date
   read; ``unverified_reason_ja`` / ``_en`` say why a figure could not be checked).
.. [2] 日本防犯設備協会 防犯システム委員会『スーパー・スマートシティに向けた新たな防犯ソリューションの
   調査、研究』2024-03-31, ヒアリング結果 (柏の葉) □国の採択件取得へのアプローチ.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from assessments.programme.costs import PlanCosts, number, plan_costs
from assessments.records import records

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
    """What the matcher knows about the project.

    Build it from a plan with :meth:`from_plan` (costs, cameras and sites derived from the
    plan); the other fields are the user's answers on the 補助金 page.

    Parameters
    ----------
    stage : {"demonstration", "implementation"}
        実証 or 実装.
    initial_cost_jpy : float
        初期費用 (設備・設置工事), the 総事業費 of an equipment grant [円].
    running_cost_jpy : float
        Running cost over ``years`` [円]; counted only by schemes that cover it.
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
        Installation sites for per-site amounts [か所]; default = ``camera_count``.
    prefecture : str, optional
        Prefecture of the project (``東京都``); empty = unknown (area checks skipped).
    municipality_code : str, optional
        地方公共団体コード (6 digits); empty = unknown.
    renewal : bool
        Camera renewal (更新) rather than first installation: selects the ``renewal`` share
        variant where one exists.
    """

    stage: str
    initial_cost_jpy: float = 0.0
    running_cost_jpy: float = 0.0
    years: int = 1
    data_platform: str = "none"
    applicant: str = "municipality"
    domains: tuple = ()
    camera_count: int = 0
    sites: int | None = None
    prefecture: str = ""
    municipality_code: str = ""
    renewal: bool = False

    @property
    def total_cost_jpy(self) -> float:
        """事業費合計（運用費を含む） [円]."""
        return float(self.initial_cost_jpy) + float(self.running_cost_jpy)

    @classmethod
    def from_plan(cls, plan: dict, *, costs: PlanCosts | None = None, **answers) -> "Project":
        """The project of a plan: costs, years, cameras, sites, area and renewal from the
        plan (``costs`` = :func:`~assessments.programme.costs.plan_costs` when already
        computed); ``answers`` (stage, data_platform, applicant, domains …) override."""
        costs = costs or plan_costs(plan)
        muni = plan.get("municipality") or {}
        grant = plan.get("grant") or {}
        values = dict(stage=grant.get("stage") if grant.get("stage") in STAGES
                      else "implementation",
                      initial_cost_jpy=costs.initial_jpy,
                      running_cost_jpy=costs.running_total_jpy, years=costs.years,
                      camera_count=costs.cameras, sites=costs.sites,
                      prefecture=str(muni.get("prefecture") or ""),
                      municipality_code=str(muni.get("code") or ""),
                      renewal=bool(grant.get("renewal")))
        values.update(answers)
        return cls(**values)


@dataclass
class Match:
    """The matcher's verdict on one scheme (amounts in 円, ``None`` = unknown)."""

    scheme_id: str
    eligible: bool
    offered: bool
    reasons: list = field(default_factory=list)     # [(kind, code, params)]
    basis_jpy: float | None = None                  # cost the scheme applies to
    eligible_cost_jpy: float | None = None          # 補助対象経費
    grant_jpy: float | None = None                  # all public payers together
    national_share_jpy: float | None = None         # part paid by the national government
    applicant_share_jpy: float | None = None        # basis − grant (地方負担 / 自己負担)
    shares: list = field(default_factory=list)      # [{payer, payer_ja, payer_en, share, share_text, amount_jpy}]
    grant_upper_bound_jpy: float | None = None
    sites_counted: int | None = None                # sites the per-site amount counts
    fiscal_year: int | None = None
    verified: bool = True


@dataclass(frozen=True)
class GrantAmounts:
    """Result of :func:`grant_amounts` [円].

    ``shares``: one dict per payer (``payer``, ``payer_ja``, ``payer_en``, ``share``
    (fraction of the basis paid, float), ``share_text``, ``amount_jpy``), public payers
    first, the applicant last; empty when the grant is unknown. ``reasons``: INFO /
    CONDITION reasons explaining the arithmetic (``(kind, code, params)``).
    """

    basis_jpy: float
    eligible_jpy: float
    grant_jpy: float | None
    national_jpy: float | None
    applicant_jpy: float | None
    shares: tuple = ()
    upper_bound_jpy: float | None = None
    sites_counted: int | None = None
    reasons: tuple = ()


def _num(value):
    """Float or ``None`` for empty / NaN / None cells."""
    return number(value)


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
    for name in ("initial_cost_jpy", "running_cost_jpy"):
        if not (getattr(project, name) >= 0):
            raise ValueError(f"{name} must be >= 0, got {getattr(project, name)}")
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


def shares_for(shares, scheme_id, *, renewal: bool = False) -> list[dict]:
    """The ``grant_shares`` rows of one scheme: variant ``renewal`` when asked and present,
    else ``standard``; ``[]`` when the scheme has none."""
    rows = [dict(r) for r in shares or () if str(r.get("scheme_id")) == str(scheme_id)]
    if not rows:
        return []
    want = "renewal" if renewal and any(r.get("variant") == "renewal" for r in rows) \
        else "standard"
    return [r for r in rows if r.get("variant") == want]


def share_fraction(row: dict) -> Fraction:
    """A payer's share as an exact fraction: ``share_text`` (``"1/6"``) else ``share``."""
    try:
        return Fraction(str(row.get("share_text") or "").strip())
    except (ValueError, ZeroDivisionError):
        return Fraction(_num(row.get("share")) or 0.0).limit_denominator(1000)


def rate_fraction(rate) -> Fraction | None:
    """A rate as an exact fraction (0.6666667 → 2/3, 0.5833333 → 7/12); None when empty."""
    value = _num(rate)
    return None if value is None else Fraction(value).limit_denominator(1000)


def is_public(row: dict) -> bool:
    """Whether a ``grant_shares`` row is a public payer (not the applicant)."""
    return row.get("payer") != "applicant"


def rounding_unit(scheme: dict) -> int:
    """The scheme's rounding unit [円]: 1, or 1000 for 千円未満切捨て."""
    unit = _num((scheme or {}).get("rounding_unit_jpy"))
    return int(unit) if unit is not None and unit >= 1 else 1


def sites_counted(scheme: dict, sites: int) -> int:
    """Sites the per-site amount counts: ``min(sites, max_sites)`` (原則1団体1か所)."""
    limit = _num((scheme or {}).get("max_sites"))
    return int(min(sites, limit)) if limit is not None else int(sites)


def fixed_amount(scheme: dict, sites: int) -> float | None:
    """定額 for ``sites`` counted sites: first site + next sites × (sites − 1) [円];
    None when the scheme has no fixed amount."""
    first = _num((scheme or {}).get("fixed_amount_jpy"))
    if first is None:
        return None
    nxt = _num(scheme.get("fixed_amount_next_jpy"))
    nxt = first if nxt is None else nxt
    return 0.0 if sites < 1 else first + nxt * (sites - 1)


def _floor(value, unit: int) -> float:
    """``value`` rounded down to a multiple of ``unit`` [円] (exact for fractions)."""
    return float(math.floor(Fraction(value) / unit) * unit)


def _payer(row: dict) -> dict:
    return {"payer": row.get("payer"), "payer_ja": row.get("payer_ja"),
            "payer_en": row.get("payer_en"), "share_text": row.get("share_text") or ""}


def grant_amounts(scheme: dict, share_rows=(), *, initial_jpy: float,
                  running_total_jpy: float = 0.0, cameras: int = 0,
                  sites: int | None = None) -> GrantAmounts:
    """Eligible cost, grant and payer shares of one scheme (module docstring).

    Parameters
    ----------
    scheme : dict
        One ``grant_schemes`` row.
    share_rows : sequence of dict
        The scheme's ``grant_shares`` rows of one variant (:func:`shares_for`).
    initial_jpy, running_total_jpy : float
        初期費用 and the running cost over the plan's years [円].
    cameras : int
        Cameras for the per-camera cap [台].
    sites : int, optional
        Installation sites [か所]; default ``cameras``.

    Returns
    -------
    GrantAmounts

    Examples
    --------
    加古川市 (12万円 first site, 8万円 each further one), 11 cameras on 8 sites, 3,000,000 円:
    120,000 + 7 × 80,000 = 680,000 円. 多摩市 (23/24, 千円未満切捨て), 498,000 円:
    498,000 × 23/24 = 477,250 → 477,000 円.
    """
    s = scheme or {}
    share_rows = list(share_rows or ())
    sites = cameras if sites is None else sites
    reasons: list = []
    basis = float(initial_jpy)
    if _bool(s.get("covers_running")):
        basis += float(running_total_jpy)
        reasons.append((INFO, "running_covered", {"running": float(running_total_jpy)}))
    eligible = basis
    pcap = _num(s.get("project_cost_cap_jpy"))
    if pcap is not None and eligible > pcap:
        eligible = pcap
        reasons.append((INFO, "project_cost_capped", {"cap": pcap}))
    per_cam = _num(s.get("per_camera_cap_jpy"))
    if per_cam is not None and cameras > 0 and eligible > per_cam * cameras:
        eligible = per_cam * cameras
        reasons.append((INFO, "per_camera_capped",
                        {"per_camera": per_cam, "cameras": cameras, "cap": per_cam * cameras}))
    cap = _num(s.get("cap_jpy"))
    unit = rounding_unit(s)
    rate = rate_fraction(s.get("rate"))
    counted = None
    parts: list[tuple[dict, Fraction]] = []
    if _num(s.get("fixed_amount_jpy")) is not None:
        counted = sites_counted(s, sites)
        limit = _num(s.get("max_sites"))
        if limit is not None:
            reasons.append((CONDITION, "max_sites", {"max": int(limit), "sites": int(sites)}))
        amount = fixed_amount(s, counted)
        nxt = _num(s.get("fixed_amount_next_jpy"))
        if nxt is not None and nxt != _num(s.get("fixed_amount_jpy")):
            reasons.append((INFO, "fixed_first_next",
                            {"first": _num(s.get("fixed_amount_jpy")), "next": nxt,
                             "sites": counted}))
        else:
            reasons.append((INFO, "fixed_per_site",
                            {"amount": _num(s.get("fixed_amount_jpy")), "sites": counted}))
        raw = Fraction(min(amount, eligible))
    elif share_rows:
        for row in share_rows:
            if not is_public(row):
                continue
            part = share_fraction(row) * Fraction(eligible)
            row_cap = _num(row.get("cap_jpy"))
            if row_cap is not None and part > row_cap:
                part = Fraction(row_cap)
                reasons.append((INFO, "payer_capped", {"payer": row.get("payer_ja") or "",
                                                       "cap": row_cap}))
            parts.append((row, part))
        raw = sum((p for _, p in parts), Fraction(0))
        reasons.append((INFO, "shares", {"text": " / ".join(
            f"{r.get('payer_ja')} {r.get('share_text')}" for r in share_rows)}))
    elif rate is not None:
        raw = rate * Fraction(eligible)
        reasons.append((INFO, "rate", {"rate": float(rate), "text": s.get("rate_text_ja") or ""}))
    else:
        reasons.append((INFO, "rate_unknown", {"text": s.get("rate_text_ja") or ""}))
        return GrantAmounts(basis_jpy=basis, eligible_jpy=eligible, grant_jpy=None,
                            national_jpy=None, applicant_jpy=None, upper_bound_jpy=cap,
                            reasons=tuple(reasons))
    if cap is not None and raw > cap:
        raw = Fraction(cap)
        reasons.append((INFO, "grant_capped", {"cap": cap}))
    grant = _floor(raw, unit)
    if unit > 1:
        reasons.append((INFO, "rounded_down", {"unit": unit}))
    shares = []
    if parts:
        left = grant
        for i, (row, part) in enumerate(parts):
            amount = left if i == len(parts) - 1 else min(_floor(part, unit), left)
            left -= amount
            shares.append({**_payer(row), "share": amount / basis if basis else 0.0,
                           "amount_jpy": amount})
        applicant_row = next((r for r in share_rows if not is_public(r)), {})
    else:
        national = s.get("level") == "national"
        body = s.get("body_ja") or ""
        payer = {"payer": "national", "payer_ja": "国", "payer_en": "national government"} \
            if national else {"payer": "prefecture" if s.get("level") == "prefecture"
                              else "municipality", "payer_ja": body, "payer_en": body}
        shares.append({**payer, "share_text": "", "share": grant / basis if basis else 0.0,
                       "amount_jpy": grant})
        applicant_row = {}
    applicant = basis - grant
    shares.append({"payer": "applicant",
                   "payer_ja": applicant_row.get("payer_ja") or "申請者",
                   "payer_en": applicant_row.get("payer_en") or "applicant",
                   "share_text": applicant_row.get("share_text") or "",
                   "share": applicant / basis if basis else 0.0, "amount_jpy": applicant})
    national_amount = grant if s.get("level") == "national" else 0.0
    return GrantAmounts(basis_jpy=basis, eligible_jpy=eligible, grant_jpy=grant,
                        national_jpy=national_amount, applicant_jpy=applicant,
                        shares=tuple(shares), sites_counted=counted, reasons=tuple(reasons))


@dataclass(frozen=True)
class PlanGrant:
    """A plan's costs and the grant of its chosen scheme [円]: what every page and the
    Excel 事業費 show. ``amounts`` is None when no scheme is chosen (or it is unknown)."""

    costs: PlanCosts
    scheme: dict | None
    share_rows: tuple
    amounts: GrantAmounts | None

    @property
    def self_pay_total_jpy(self) -> float | None:
        """自己負担 計（運用費を含む）: total − grant; None when the grant is unknown."""
        if self.amounts is None or self.amounts.grant_jpy is None:
            return None
        return self.costs.total_jpy - self.amounts.grant_jpy


def scheme_for(plan: dict, schemes) -> dict | None:
    """The plan's chosen ``grant_schemes`` row (``plan["grant"]["scheme_id"]``), or None."""
    scheme_id = (plan.get("grant") or {}).get("scheme_id")
    if not scheme_id:
        return None
    return next((dict(s) for s in schemes or () if str(s.get("id")) == str(scheme_id)), None)


def plan_grant(plan: dict, *, schemes=(), shares=(), scheme: dict | None = None,
               costs: PlanCosts | None = None) -> PlanGrant:
    """The plan's costs and the grant of its chosen scheme (or of ``scheme``).

    ``schemes`` / ``shares``: rows of ``grant_schemes`` / ``grant_shares``; the share
    variant is ``renewal`` when ``plan["grant"]["renewal"]`` is true.
    """
    costs = costs or plan_costs(plan)
    scheme = scheme if scheme is not None else scheme_for(plan, records(schemes))
    if not scheme:
        return PlanGrant(costs, None, (), None)
    scheme = records([scheme])[0]
    rows = tuple(shares_for(records(shares), scheme.get("id"),
                            renewal=bool((plan.get("grant") or {}).get("renewal"))))
    amounts = grant_amounts(scheme, rows, initial_jpy=costs.initial_jpy,
                            running_total_jpy=costs.running_total_jpy,
                            cameras=costs.cameras, sites=costs.sites)
    return PlanGrant(costs, scheme, rows, amounts)


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
    money = grant_amounts(scheme, shares_for(shares, sid, renewal=project.renewal),
                          initial_jpy=project.initial_cost_jpy,
                          running_total_jpy=project.running_cost_jpy,
                          cameras=project.camera_count, sites=project.sites)
    min_cost = _num(scheme.get("min_project_cost_jpy"))
    if min_cost is not None and money.basis_jpy < min_cost:
        reasons.append((BLOCK, "below_min_cost", {"min": min_cost, "cost": money.basis_jpy}))
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
    reasons += list(money.reasons)
    eligible = not any(kind == BLOCK for kind, _, _ in reasons)
    fy = _num(scheme.get("fiscal_year"))
    return Match(scheme_id=sid, eligible=eligible, offered=eligible, reasons=reasons,
                 basis_jpy=money.basis_jpy, eligible_cost_jpy=money.eligible_jpy,
                 grant_jpy=money.grant_jpy, national_share_jpy=money.national_jpy,
                 applicant_share_jpy=money.applicant_jpy, shares=list(money.shares),
                 grant_upper_bound_jpy=money.upper_bound_jpy,
                 sites_counted=money.sites_counted,
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
    schemes, shares, scopes = records(schemes), records(shares), records(scopes)
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


def successor_chain(scheme_id: str, schemes) -> list[str]:
    """The schemes that replaced ``scheme_id``, oldest first, by following ``successor_id``
    (``[]`` when none; a loop in the data stops at the first repeat).

    Examples
    --------
    ``dtd_type1`` → ``["shinchiho_digital_a"]``; ``shinchiho_2nd_gen`` → ``["chiiki_mirai"]``.
    """
    by_id = {str(s["id"]): s for s in records(schemes)}
    chain: list[str] = []
    current = str(scheme_id)
    while True:
        nxt = (by_id.get(current) or {}).get("successor_id")
        if not nxt or nxt in chain or nxt == scheme_id or nxt not in by_id:
            return chain
        chain.append(nxt)
        current = nxt


def latest_scheme(scheme_id: str, schemes) -> str | None:
    """The newest scheme that replaced ``scheme_id`` (the end of :func:`successor_chain`), or
    None when it has not been replaced."""
    chain = successor_chain(scheme_id, schemes)
    return chain[-1] if chain else None


def fiscal_year_of(day) -> int:
    """The Japanese fiscal year (April–March) a date falls in: 2027-02-01 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def scheme_calendar(scheme_id: str, calls=(), *, fiscal_years, today=None) -> list[dict]:
    """The application windows of one scheme for ``fiscal_years``: the entries of
    :func:`calendar` (same keys and statuses), in fiscal-year order. The 事業計画 workbook
    prints them for the plan's scheme.

    Examples
    --------
    A scheme with a call for FY2026 only, asked for FY2026 and FY2027: one ``"announced"``
    (or ``"closed"``) entry for 2026, one ``"not_announced"`` for 2027 whose ``last`` is the
    2026 call.
    """
    mine = sorted((r for r in records(calls) if str(r.get("scheme_id")) == str(scheme_id)),
                  key=lambda r: (int(r["fiscal_year"]), str(r.get("start_date") or "")))
    out = []
    for fy in fiscal_years:
        hits = [r for r in mine if int(r["fiscal_year"]) == int(fy)]
        earlier = [r for r in mine if int(r["fiscal_year"]) < int(fy)]
        last = earlier[-1] if earlier else None
        if not hits:
            out.append({"scheme_id": scheme_id, "fiscal_year": int(fy),
                        "status": "not_announced", "start": None, "end": None,
                        "note_ja": "", "note_en": "", "source": "", "last": last})
            continue
        for r in hits:
            end = r.get("end_date") or None
            closed = today is not None and end is not None and str(end) < today.isoformat()
            out.append({"scheme_id": scheme_id, "fiscal_year": int(fy),
                        "status": "closed" if closed else "announced",
                        "start": r.get("start_date") or None, "end": end,
                        "note_ja": r.get("note_ja") or "", "note_en": r.get("note_en") or "",
                        "source": r.get("source") or "", "last": last})
    return out


def calendar(matches, calls=(), *, fiscal_years, today=None) -> list[dict]:
    """Application calendar of the offered schemes for the given fiscal years.

    Parameters
    ----------
    matches : sequence of Match
        The matcher's results; only offered schemes are listed.
    calls : sequence of dict
        Rows of ``grant_calls`` (``scheme_id, fiscal_year, start_date, end_date, note_ja,
        note_en, source``): the application windows that were announced.
    fiscal_years : sequence of int
        The fiscal years to show (e.g. the plan's start year and the next).
    today : datetime.date, optional
        To mark windows already closed; None = never.

    Returns
    -------
    list of dict
        One entry per offered scheme and fiscal year: ``{scheme_id, fiscal_year, status,
        start, end, note_ja, note_en, source, last}``. ``status`` is ``"announced"``,
        ``"closed"`` (its deadline has passed) or ``"not_announced"`` (no call for that year in
        the data: shown as 未発表, never guessed from an earlier year); ``last`` is the newest
        earlier call of the scheme (``None`` when there is none), for reference. Sorted by
        fiscal year, then start date (undated last).
    """
    out = []
    for m in matches:
        if m.offered:
            out += scheme_calendar(m.scheme_id, calls, fiscal_years=fiscal_years, today=today)
    out.sort(key=lambda e: (e["fiscal_year"], e["start"] is None, e["start"] or "",
                            e["scheme_id"]))
    return out
