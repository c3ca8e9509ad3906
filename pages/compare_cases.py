"""事例比較: filter initiatives, compare 2–3 side by side, the MLIT keyword heat map, a map and
the case figures (加古川 …), every figure with its source."""
import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from datasets import queries
from ui import shell, state
from ui.compare_common import (FONT, labels, missing, source_caption, unverified_reason,
                               yen_compact)
from ui.i18n import col, lang, lang_key, t

shell.setup_page()
st.title(t("compare.cases.title"))
st.caption(t("compare.cases.intro"))

TYPES = ["super_city", "health_zone", "smart_city"]
UNITS = {"台": "cameras", "円": "yen", "円/年": "yen_year", "件": "cases", "回": "times",
         "か所": "points", "橋": "bridges", "か国": "countries", "機関": "bodies", "%": "percent"}


@st.cache_data(show_spinner=False)
def _initiatives(prefecture: str, type_: str, text: str, keyword: str) -> pd.DataFrame:
    return queries.list_initiatives(state.ref_cursor(), prefecture=prefecture, type=type_,
                                    text=text, mlit_keyword=keyword)


@st.cache_data(show_spinner=False)
def _matrix() -> pd.DataFrame:
    return queries.list_mlit_matrix(state.ref_cursor())


@st.cache_data(show_spinner=False)
def _points() -> pd.DataFrame:
    return queries.list_municipality_points(state.ref_cursor())


def _name(row) -> str:
    return str(col(row, "name"))


def _label_width_deg(text: str) -> float:
    """About how wide a map label is [° lon] on the 700 px map of Japan at 1366 px (about
    24 px per degree, font 18 px): a kanji about 0.8°, a Latin letter about 0.42°."""
    return 0.5 + sum(0.8 if ord(ch) >= 0x2E80 else 0.42 for ch in text)


def _declutter(lons, lats, texts, *, height_deg: float = 0.9) -> list[bool]:
    """Which map labels to draw: a label (centred above its point, ``height_deg`` [°] high)
    is left out when it would overlap one already drawn; the point keeps its name on
    hover. Points in the given order, which is the order of priority."""
    drawn: list[tuple[float, float, float]] = []
    keep = []
    for lon, lat, text in zip(lons, lats, texts):
        half = _label_width_deg(text) / 2
        free = all(abs(lon - x) >= half + h or abs(lat - y) >= height_deg
                   for x, y, h in drawn)
        keep.append(free)
        if free:
            drawn.append((lon, lat, half))
    return keep


def _short(row) -> str:
    """Map label: the municipality (ja) or the English name before any bracket (en)."""
    if lang() == "en":
        return str(row["name_en"]).split(" (")[0].split(" — ")[-1]
    return str(row["municipality_name"]).replace("仙台市 泉区", "仙台市泉区")


everything = _initiatives("", "", "", "")
matrix = _matrix()
keywords = matrix.drop_duplicates("key").sort_values("position")
kw_label = {r["key"]: str(col(r, "name")) for r in keywords.to_dict("records")}

# --- filters -------------------------------------------------------------------------------
st.subheader(t("compare.cases.filter"))
c1, c2, c3, c4 = st.columns(4)
prefs = [""] + sorted(everything["prefecture"].unique().tolist())
# ids as values, labels by format_func; keys per language (ui.i18n.lang_key)
pref = c1.selectbox(t("compare.cases.prefecture"), prefs, key=lang_key("cc_pref"),
                    format_func=labels(prefs, lambda p: p or t("compare.all")))
type_ = c2.selectbox(t("compare.cases.type"), [""] + TYPES, key=lang_key("cc_type"),
                     format_func=labels([""] + TYPES, lambda v: t(f"compare.type.{v}") if v else t("compare.all")))
text = c3.text_input(t("compare.cases.search"), key=lang_key("cc_text")).strip()
kw = c4.selectbox(t("compare.cases.mlit_keyword"), [""] + list(kw_label), key=lang_key("cc_kw"),
                  format_func=labels([""] + list(kw_label), lambda k: kw_label.get(k, t("compare.all"))))
found = _initiatives(pref, type_, text, kw)
st.metric(t("compare.cases.count"), len(found))

if len(found):
    table = pd.DataFrame({
        t("compare.col.name"): [_name(r) for r in found.to_dict("records")],
        t("compare.col.prefecture"): found["prefecture"],
        t("compare.col.type"): [t(f"compare.type.{v}") for v in found["type"]],
        t("compare.col.lead"): [col(r, "lead") for r in found.to_dict("records")],
        t("compare.col.start_year"): found["start_year"].astype("Int64"),
        t("compare.col.cameras"): [col(r, "cameras") for r in found.to_dict("records")],
        t("compare.col.verified"): found["verified"],
        t("compare.col.unverified_reason"): [unverified_reason(r) for r in found.to_dict("records")],
        t("compare.col.source"): [str(s).split(" ")[0] for s in found["source"]],
    })
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={t("compare.col.source"): st.column_config.LinkColumn(),
                                t("compare.col.verified"): st.column_config.CheckboxColumn()}, placeholder="")
else:
    st.info(t("compare.cases.none_found"))

# --- map (offline: plain background, no tiles, no topojson download) ------------------------
# Plotly's geo traces fetch their base map from a CDN, so the map is drawn on plain lon/lat
# axes; the 1,916 municipal offices in grey outline Japan without any network access.
st.subheader(t("compare.cases.map"))
if len(found):
    base = _points()
    fig = go.Figure(go.Scatter(x=base["lon"], y=base["lat"], mode="markers", hoverinfo="text",
                               text=base["prefecture"] + " " + base["name"],
                               marker={"size": 3, "color": "#c8ccd0"},
                               name=t("compare.cases.map_offices")))
    # labels that would overlap (the Kanto initiatives) are left to the hover text
    shown = found[found["type"].isin(TYPES)]
    short = {i: _short(r) for i, r in zip(shown.index, shown.to_dict("records"))}
    keep = dict(zip(shown.index, _declutter(shown["lon"].tolist(), shown["lat"].tolist(),
                                            list(short.values()))))
    for ty in TYPES:
        part = found[found["type"] == ty]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part["lon"], y=part["lat"], mode="markers+text",
                text=[short[i] if keep[i] else "" for i in part.index],
                textposition="top center",
                hovertext=[_name(r) for r in part.to_dict("records")], hoverinfo="text",
                marker={"size": 16, "line": {"width": 1, "color": "white"}},
                name=t(f"compare.type.{ty}")))
    # equal ground distances on both axes at about 36° N: 1° lon = cos(36°) × 1° lat
    fig.update_yaxes(scaleanchor="x", scaleratio=1 / math.cos(math.radians(36.0)),
                     title=t("compare.cases.lat"), range=[24, 46])
    fig.update_xaxes(title=t("compare.cases.lon"), range=[122, 150])
    fig.update_layout(height=700, margin={"l": 10, "r": 10, "t": 10, "b": 10}, font=FONT,
                      legend={"orientation": "h"}, plot_bgcolor="#f4f7fa")
    st.plotly_chart(fig, key="cc_map")
    st.caption(t("compare.cases.map_source"))

# --- side-by-side ---------------------------------------------------------------------------
st.subheader(t("compare.cases.side_by_side"))
names = {r["id"]: _name(r) for r in everything.to_dict("records")}
default = [i for i in ("kashiwanoha", "tsukuba") if i in names]
picked = st.multiselect(t("compare.cases.pick"), list(names), placeholder=t("common.choose"), select_all=False,
                        key=lang_key("cc_pick", default),
                        format_func=labels(list(names), names.get), max_selections=3)
if picked:
    conds = queries.list_initiative_conditions(state.ref_cursor(), ids=picked)
    summ = queries.list_initiative_summary(state.ref_cursor(), ids=picked)
    missing_text = t("compare.cases.not_in_seed")
    rows: list[dict] = []
    by_id = everything.set_index("id")

    def _general(label_key: str, field: str) -> None:
        row = {t("compare.cases.dimension"): t(label_key)}
        for i in picked:
            r = by_id.loc[i].to_dict()
            value = t(f"compare.type.{r['type']}") if field == "type" else col(r, field)
            row[names[i]] = missing_text if missing(value) else value
        rows.append(row)

    for key, field in (("compare.cases.category", "type"), ("compare.col.lead", "lead"),
                       ("compare.col.domains", "domains"), ("compare.col.cameras", "cameras")):
        _general(key, field)
    for frame, label_col in ((conds, "condition"), (summ, "dimension")):
        for (no, ident), grp in frame.groupby([f"{label_col}_no", f"{label_col}_id"], sort=True):
            first = grp.iloc[0].to_dict()
            label = (f"{no}) " if label_col == "condition" else "") + str(col(first, label_col))
            row = {t("compare.cases.dimension"): label}
            for i in picked:
                hit = grp[grp["initiative_id"] == i]
                row[names[i]] = col(hit.iloc[0].to_dict(), "text") if len(hit) else missing_text
            rows.append(row)
    st.table(pd.DataFrame(rows).set_index(t("compare.cases.dimension")))
    srcs = sorted(set(conds["source"]) | set(summ["source"])
                  | {by_id.loc[i, "source"] for i in picked})
    source_caption(srcs)
    if not len(conds):
        st.info(t("compare.cases.seed_only_two"))

# --- MLIT keyword heat map ------------------------------------------------------------------
st.subheader(t("compare.cases.heatmap"))
st.caption(t("compare.cases.heatmap_note"))
wide = matrix.pivot_table(index="project_id", columns="key", values="flag", aggfunc="max")
wide = wide.astype(int)[keywords["key"].tolist()]
proj = matrix.drop_duplicates("project_id").set_index("project_id")
row_labels = [f"{proj.loc[p, 'municipality_name']}" for p in wide.index]
col_labels = [kw_label[k] for k in wide.columns]
view = st.radio(t("compare.cases.heatmap_view"), ["projects", "pairs"], key=lang_key("cc_heat_view"),
                format_func=labels(["projects", "pairs"], lambda v: t(f"compare.cases.heatmap_{v}")), horizontal=True)
if view == "projects":
    fig = px.imshow(wide.values, x=col_labels, y=row_labels, color_continuous_scale="Blues",
                    zmin=0, zmax=1, aspect="auto", text_auto=False)
    fig.update_traces(hovertemplate="%{y} × %{x}: %{z}<extra></extra>")
else:
    pairs = wide.T.dot(wide)  # keyword × keyword: projects marking both
    fig = px.imshow(pairs.values, x=col_labels, y=col_labels, color_continuous_scale="Blues",
                    aspect="auto", text_auto=True)
fig.update_layout(height=620, font=FONT, coloraxis_showscale=False,
                  margin={"l": 10, "r": 10, "t": 10, "b": 10})
fig.update_xaxes(tickangle=-40)
st.plotly_chart(fig, key="cc_heatmap")
counts = pd.DataFrame({t("compare.cases.keyword"): col_labels,
                       t("compare.cases.projects_marked"): wide.sum(axis=0).values,
                       t("compare.cases.with_camera"): wide[wide["camera_sensor"] == 1].sum(axis=0).values})
st.dataframe(counts, hide_index=True, width="stretch", key="cc_counts", placeholder="")
st.caption(t("compare.cases.heatmap_total", projects=len(wide),
             cameras=int(wide["camera_sensor"].sum())))
source_caption(sorted(set(matrix["source"])))

# --- case figures ---------------------------------------------------------------------------
st.subheader(t("compare.cases.figures"))
figs = queries.list_case_figures(state.ref_cursor(), initiative_id="")
fig_inits = list(dict.fromkeys(figs["initiative_id"]))
which = st.selectbox(t("compare.cases.figures_of"), fig_inits,
                     key=lang_key("cc_fig_ini", "kakogawa" if "kakogawa" in fig_inits else fig_inits[0]),
                     format_func=labels(fig_inits, lambda i: names.get(i, i)))
mine = figs[figs["initiative_id"] == which]
crimes = mine[mine["figure_id"].str.startswith("crimes_") & mine["year"].notna()
              & (mine["unit"] == "件")]
others = mine.drop(crimes.index)
cols = st.columns(3)
for n, r in enumerate(others.to_dict("records")):
    unit = t(f"compare.unit.{UNITS[r['unit']]}") if r["unit"] in UNITS else r["unit"]
    if r["unit"] == "円":  # 4億円, not 400,000,000 円 (too wide for a metric at 1366 px)
        value = yen_compact(r["value"])
    elif r["unit"] == "円/年":
        value = t("compare.money.per_year", amount=yen_compact(r["value"]))
    elif r["unit"] == "%" and r["value"] < 0:
        value = f"{r['value']:+.0f} %"
    else:
        value = f"{r['value']:,.0f} {unit}"
    note = col(r, "note")
    cols[n % 3].metric(str(col(r, "metric")) + ("" if missing(r["year"]) else f" ({int(r['year'])})"),
                       value, help=None if missing(note) or not note else str(note))
if len(crimes):
    bar = px.bar(crimes, x=crimes["year"].astype(int).astype(str), y="value", text="value",
                 labels={"x": t("compare.cases.year"), "value": t("compare.cases.crimes")})
    bar.update_traces(texttemplate="%{text:,.0f}", textposition="outside")
    bar.update_layout(height=420, font=FONT, margin={"t": 30})
    bar.update_yaxes(tickformat=",")  # 3,000 件 as written in Japanese statistics
    st.plotly_chart(bar, key="cc_crimes")
source_caption(sorted(set(mine["source"])))
