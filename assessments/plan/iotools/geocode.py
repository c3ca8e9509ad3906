"""Opt-in geocoding of table rows that have an address but no coordinates.

Nothing here goes online by itself: the caller creates a geocoder (geopy's Nominatim, or
anything with ``geocode(query)``) only when the user asks, and passes it in.
"""
from __future__ import annotations

import functools
import time

from .result import ImportResult, Limits, new_result
from .values import COORD_DECIMALS, in_japan

__all__ = ["geocode_addresses", "geocoder_errors", "is_unreachable"]


@functools.cache
def geocoder_errors() -> tuple:
    """What a geocoder raises for one address: geopy's ``GeopyError`` (service errors,
    timeouts, rate limits, refused queries), ``OSError`` (no network; ``TimeoutError`` is
    one) and ``ValueError`` (a query or an answer it cannot handle)."""
    try:
        from geopy.exc import GeopyError
    except ImportError:                   # geopy is optional: a duck-typed geocoder
        return (OSError, ValueError)
    return (GeopyError, OSError, ValueError)


def is_unreachable(exc: BaseException) -> bool:
    """``exc`` (one of :func:`geocoder_errors`) says the service cannot answer any address
    now — no network, a time-out, the service down, refusing or rate-limiting — rather than
    that this one address failed (geopy's ``GeocoderQueryError`` / ``GeocoderParseError``,
    a ``ValueError``)."""
    try:
        from geopy.exc import GeocoderParseError, GeocoderQueryError, GeocoderServiceError
    except ImportError:                   # geopy is optional: a duck-typed geocoder
        return isinstance(exc, OSError)
    if isinstance(exc, (GeocoderQueryError, GeocoderParseError)):
        return False
    return isinstance(exc, (GeocoderServiceError, OSError))


def geocode_addresses(rows, geocoder, *, min_delay_s: float = 1.0, sleep=time.sleep,
                      limits: Limits | None = None, stop_when_unreachable: bool = False
                      ) -> ImportResult:
    """Geocode rows that have an ``address`` and no coordinates (opt-in, online).

    Parameters
    ----------
    rows : list of dict
        ``ImportResult.needs_geocoding``.
    geocoder : object
        A geopy geocoder (e.g. ``geopy.geocoders.Nominatim(user_agent=...)``) or anything
        with ``geocode(query) -> location | None`` whose location has ``latitude`` and
        ``longitude``. The caller creates it only when the user asks to geocode.
    min_delay_s : float
        Pause between requests [s] (Nominatim's usage policy allows one per second).
    sleep : callable
        ``time.sleep`` (tests pass a no-op).
    stop_when_unreachable : bool
        After an error that means the service cannot be reached (:func:`is_unreachable`),
        send no further address: the result then has a file-level ``geocode_failed``
        problem and ``meta["unreachable"]`` (the error's type name). Without it every
        address is tried.

    Returns
    -------
    ImportResult
        ``rows`` that were found (with ``lat``, ``lon`` and ``attributes.geocoded``) and
        ``meta["found"]``, their positions in ``rows`` (from 1, as the problems' rows);
        a ``geocode_failed`` problem per address not found or on an error.
    """
    limits = limits or Limits()
    res = new_result(limits, format="geocode")
    todo = list(rows)
    res.meta["found"] = []
    if len(todo) > limits.max_geocode:
        res.add(None, "address", "geocode_limit", str(limits.max_geocode),
                f"only the first {limits.max_geocode} of {len(todo)} addresses are geocoded")
        todo = todo[: limits.max_geocode]
    for n, row in enumerate(todo, start=1):
        address = str(row.get("address") or "").strip()
        if not address:
            res.add(n, "address", "missing", "", "no address")
            res.skipped.append(n)
            continue
        if n > 1 and min_delay_s > 0:
            sleep(min_delay_s)
        try:
            loc = geocoder.geocode(address)
        except geocoder_errors() as exc:
            res.add(n, "address", "geocode_failed", address,
                    f"geocoding failed ({type(exc).__name__})")
            res.skipped.append(n)
            if stop_when_unreachable and is_unreachable(exc):
                res.meta["unreachable"] = type(exc).__name__
                res.add(None, "address", "geocode_failed", type(exc).__name__,
                        f"the geocoding service could not be reached; {len(todo) - n} "
                        "further address(es) were not sent")
                break
            continue
        lat = getattr(loc, "latitude", None) if loc is not None else None
        lon = getattr(loc, "longitude", None) if loc is not None else None
        if lat is None or lon is None or not in_japan(float(lat), float(lon)):
            res.add(n, "address", "geocode_failed", address,
                    "address not found" if loc is None else "the result is outside Japan")
            res.skipped.append(n)
            continue
        out = dict(row)
        out["lat"], out["lon"] = round(float(lat), COORD_DECIMALS), round(float(lon),
                                                                          COORD_DECIMALS)
        out.setdefault("attributes", {})
        out["attributes"] = {**out["attributes"], "geocoded": True}
        res.rows.append(out)
        res.meta["found"].append(n)
    return res.finish()
