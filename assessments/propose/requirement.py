"""The requirement a proposal must meet: pixel density, share of each zone, day and night.

A *target* asks that at least ``fraction`` of the assessed cells of a zone (the whole area,
or one of the plan's ``districts``) reach ``px_per_m`` by day and, when ``night`` is set,
at night too (the rule of :func:`assessments.engine.sim_summary.requirement_map`: day and
night may come from different cameras). The plan's use cases give the level and whether
night counts (:func:`assessments.engine.sim_summary.use_case_requirement`); a target typed
on the command line (``observe:0.8``) replaces it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.districts import district_labels, district_meta, no_district
from ..engine.dori import dori_thresholds, level_px_m, plan_standard
from ..engine.sim_summary import use_case_requirement

__all__ = ["Target", "Requirement", "parse_target", "plan_requirement"]


@dataclass(frozen=True)
class Target:
    """One zone's target.

    Attributes
    ----------
    px_per_m : float
        Required pixel density [px/m].
    fraction : float
        Share of the zone's assessed cells that must meet it, 0 < fraction ≤ 1 [-].
    night : bool
        The density is needed at night too.
    zone : str or None
        A district id of the plan's ``districts`` (:func:`district_meta`), or None for the
        whole area.
    level : str or None
        The DORI level the density stands for (for messages).
    """

    px_per_m: float
    fraction: float
    night: bool = False
    zone: str | None = None
    level: str | None = None

    def __post_init__(self):
        if not (0 < float(self.fraction) <= 1):
            raise ValueError(f"fraction must be in (0, 1], got {self.fraction!r}")
        if not (float(self.px_per_m) > 0):
            raise ValueError(f"px_per_m must be > 0, got {self.px_per_m!r}")


@dataclass(frozen=True)
class Requirement:
    """What the proposal must meet: one or more :class:`Target` values, an optional
    budget [円] (initial cost of the added devices, :func:`assessments.programme.costs.
    plan_costs`) and the most devices one site may hold."""

    targets: tuple = ()
    budget_jpy: float | None = None
    max_per_site: int = 1

    def __post_init__(self):
        if not self.targets:
            raise ValueError("a requirement needs at least one target")
        if self.budget_jpy is not None and not (float(self.budget_jpy) >= 0):
            raise ValueError(f"budget_jpy must be ≥ 0, got {self.budget_jpy!r}")
        if int(self.max_per_site) < 1:
            raise ValueError(f"max_per_site must be ≥ 1, got {self.max_per_site!r}")

    @property
    def night(self) -> bool:
        """Whether any target counts the night."""
        return any(t.night for t in self.targets)

    def cell_targets(self, grid, plan: dict, inside: np.ndarray):
        """Per cell, the index of the target it belongs to (−1: none) and the zone names.

        A district target takes the district's cells (the first listed district holding
        the cell centre, :func:`assessments.engine.districts.district_labels`); a whole-area
        target takes every assessed cell no district target took.

        Returns
        -------
        ndarray of int16, shape ``grid.shape``
            Target index per cell, −1 outside every target or not assessed.
        """
        out = np.full(grid.shape, -1, np.int16)
        ids = []
        labels = None
        if any(t.zone is not None for t in self.targets):
            if not plan.get("districts"):
                raise ValueError("a target names a district but the plan has no districts")
            labels = district_labels(grid, plan["districts"])
            ids = [m["id"] for m in district_meta(plan["districts"])]
        for k, t in enumerate(self.targets):
            if t.zone is None:
                continue
            if t.zone not in ids:
                raise ValueError(f"no district {t.zone!r} in the plan (districts: "
                                 f"{', '.join(ids) or 'none'})")
            out[(labels == ids.index(t.zone)) & (labels != no_district(labels))] = k
        for k, t in enumerate(self.targets):
            if t.zone is None:
                out[(out == -1) & inside] = k
        out[~inside] = -1
        return out


def parse_target(text: str, *, standard: str) -> tuple[str, float, float]:
    """``"LEVEL:FRACTION"`` (``observe:0.8``, ``recognise:90%``) → (level, px_per_m, fraction).

    The level is a DORI key of either edition (:mod:`assessments.engine.dori`) or a pixel
    density [px/m] (``100:0.8``); raises ``ValueError`` naming the allowed keys.
    """
    level, sep, frac = str(text).partition(":")
    if not sep:
        raise ValueError(f"expected LEVEL:FRACTION (e.g. observe:0.8), got {text!r}")
    level = level.strip().lower()
    thresholds = dori_thresholds(standard)
    px = thresholds.get(level) or level_px_m(level)
    if px is None:
        try:
            px = float(level)
        except ValueError:
            raise ValueError(f"unknown level {level!r}: use one of "
                             f"{', '.join(thresholds)} or a pixel density [px/m]") from None
        level = None
    frac = frac.strip()
    try:
        fraction = float(frac[:-1]) / 100 if frac.endswith("%") else float(frac)
    except ValueError:
        raise ValueError(f"not a fraction: {frac!r} (e.g. 0.8 or 80%)") from None
    if not 0 < fraction <= 1:
        raise ValueError(f"the fraction must be in (0, 1], got {fraction:g}")
    return level, float(px), fraction


def plan_requirement(plan: dict, *, use_cases=(), target: str | None = None,
                     fraction: float = 0.8, night: bool | None = None,
                     by_district: bool = False, budget_jpy: float | None = None,
                     max_per_site: int = 1) -> Requirement:
    """The requirement of a plan: its use cases' level (or ``target``), day and night.

    Parameters
    ----------
    plan : dict
        The plan (``use_cases``, ``standard``, ``districts``).
    use_cases : iterable of dict
        Rows of the ``use_cases`` reference table (``id``, ``dori_level``,
        ``night_operation``); callers pass them in (this package never reads the database).
    target : str, optional
        ``"LEVEL:FRACTION"`` (:func:`parse_target`); replaces the use cases' level.
    fraction : float
        Share to meet when ``target`` is not given [-].
    night : bool, optional
        Count the night; default: any chosen use case operates at night.
    by_district : bool
        One target per district of the plan (each must meet the share) instead of one for
        the whole area.
    budget_jpy, max_per_site
        See :class:`Requirement`.

    Raises
    ------
    ValueError
        No target given and no chosen use case with a known level, or a bad ``target``.
    """
    standard = plan_standard(plan)
    thresholds = dori_thresholds(standard)
    uc = use_case_requirement(list(use_cases), plan.get("use_cases") or [],
                              thresholds=thresholds)
    if target:
        level, px, fraction = parse_target(target, standard=standard)
    elif uc is not None:
        level, px = uc["cited_level"], uc["px_per_m"]
    else:
        raise ValueError("no target: give LEVEL:FRACTION or choose a use case with a DORI level")
    if night is None:
        night = bool(uc and uc["night"])
    zones = [None]
    if by_district and plan.get("districts"):
        zones = [m["id"] for m in district_meta(plan["districts"])]
    targets = tuple(Target(px_per_m=px, fraction=fraction, night=bool(night), zone=z,
                           level=level) for z in zones)
    return Requirement(targets=targets, budget_jpy=budget_jpy, max_per_site=max_per_site)
