"""Draft operating rules for the plan's cameras: 防犯カメラの設置及び運用に関する要綱（案）.

Builds a draft of the municipality's camera rules from the privacy self-assessment settings
(``plan["privacy"]["settings"]``) and the plan's use cases: purpose, 設置場所, 撮影範囲, 表示,
管理責任者, 保存期間, 提供の制限, 苦情処理 and the items a use case adds (face identification,
shared use, statistics-only counting, audio). Output as Markdown text or .docx bytes. Every
output says, at the top and in the page header, that it is a draft to be reviewed with the
legal section (例規審査) and the privacy section. Missing settings appear as 【要記入：…】.

The article list follows the contents required of a 設置運用基準 in municipal rules
(設置目的, 設置場所・撮影範囲, 管理責任者, 表示の内容・場所, 保存方法・期間, 廃棄方法, 苦情処理:
甲佐町防犯カメラの適正な設置及び運用に関する条例施行規則 第3条, 令和4年甲佐町規則第36号) and
the provision limits of the 京都府 guideline (防犯カメラ管理運用指針策定委員会, 2006).

When the checklist rows are given, the draft ends with the sources of its legal and
guideline items (「参考（出典・閲覧日）」: title, publisher and the date each page was
read, through :func:`datasets.citations.cite`, the one reading of the rows'
sources) and with the open gaps; an item whose basis is a bill (the APPI amendment, P29) is
listed there with its basis text, which says it is not law.

The .docx is A4 with Japanese styles (明朝 body, black ゴシック headings, fonts declared in
the ``w:eastAsia`` slot that Japanese text uses) and 「- n -」 page numbers.

Pure: no streamlit; user text is cleaned (control characters removed, one line, bounded
length) and escaped for Markdown; python-docx escapes XML itself.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping

from assessments.programme import privacy
from datasets.citations import cite, citation_text

MAX_FIELD_CHARS = 2000
LANGS = ("ja", "en")

USE_CASE_LABELS = {
    "watch_elderly": ("高齢者の見守り", "watching over elderly people"),
    "watch_children": ("子どもの見守り", "watching over children"),
    "people_count": ("人流計測（人数）", "people counting"),
    "people_attributes": ("人流計測（属性）", "people-flow attributes"),
    "abnormal_behavior": ("異常行動の検知", "abnormal-behaviour detection"),
    "intrusion_flood": ("水害時等の侵入検知", "intrusion detection (e.g. during floods)"),
    "crime_info_sharing": ("地域防犯情報の共有", "sharing local crime-prevention information"),
    "face_identification": ("顔識別", "face identification"),
    "dangerous_driving": ("危険運転の検知", "dangerous-driving detection"),
    "disaster_monitoring": ("災害の監視", "disaster monitoring"),
}
FORM_TITLES = {
    "ordinance": ("防犯カメラの設置及び運用に関する条例（案）",
                  "Ordinance on the installation and operation of security cameras (draft)", "条例"),
    "guideline": ("防犯カメラの設置及び運用に関する要綱（案）",
                  "Guideline on the installation and operation of security cameras (draft)", "要綱"),
    "rules": ("防犯カメラの設置及び運用に関する規則（案）",
              "Rules on the installation and operation of security cameras (draft)", "規則"),
    "standard": ("防犯カメラの設置及び運用に関する運用基準（案）",
                 "Operating standard for security cameras (draft)", "基準"),
}
FIELD_LABELS = {
    "purpose": ("設置目的", "purpose"), "locations": ("設置場所", "locations"),
    "coverage": ("撮影範囲", "area filmed"), "manager": ("管理責任者", "manager"),
    "operators": ("取扱担当者", "operators"), "retention_days": ("保存期間", "retention period"),
    "sign_text": ("表示の文言", "sign wording"), "contact": ("問合せ・苦情の窓口", "contact desk"),
}
#: Settings whose stored value can be rejected (:func:`assessments.programme.privacy.clean_settings`).
SETTING_LABELS = {"retention_days": FIELD_LABELS["retention_days"],
                  "legal_form": ("定める形式", "legal form")}
#: Characters that can start Markdown markup inside a line (user text never starts a line).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~>$])")  # $ too: Streamlit renders $..$ as LaTeX


def clean_text(value, *, limit: int = MAX_FIELD_CHARS) -> str:
    """User text as one clean line: control characters dropped, whitespace collapsed."""
    text = "" if value is None else str(value)
    text = "".join(" " if ch in "\r\n\t" else ch for ch in text
                   if ch in "\r\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", text).strip()[:limit]


def escape_md(text: str) -> str:
    """Escape Markdown syntax and HTML in user text (``&``, ``<`` as entities)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _pick(pair, lang):
    return pair[LANGS.index(lang)]


class _Text:
    """A run of text that is either fixed template text or user text (escaped in Markdown)."""

    def __init__(self, parts):
        self.parts = parts  # list of (text, is_user)

    def markdown(self) -> str:
        return "".join(escape_md(t) if user else t for t, user in self.parts)

    def plain(self) -> str:
        return "".join(t for t, _ in self.parts)


def _t(*parts) -> _Text:
    return _Text([(p, False) if isinstance(p, str) else p for p in parts])


def _u(value) -> tuple[str, bool]:
    return (clean_text(value), True)


def draft_articles(plan: Mapping, items=None, *, lang: str = "ja") -> dict:
    """The draft as data: ``{"title", "notice", "preamble", "articles": [(heading, [para])],
    "todo": [...]}`` where every text is a ``_Text``. See :func:`build_markdown`."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    ja = lang == "ja"
    L = (lambda j, e: j if ja else e)  # noqa: E731
    priv = plan.get("privacy") or {}
    # values this app cannot use (a hand-edited or damaged plan file) are left out and named
    # in the open points, never a failure
    settings, bad_settings = privacy.clean_settings(priv.get("settings"))
    use_cases, unknown_use_cases = privacy.split_use_cases(plan.get("use_cases") or [])
    answers, _ = privacy.clean_answers(priv.get("answers"))
    mode = privacy.counting_mode(use_cases, settings)
    muni = clean_text((plan.get("municipality") or {}).get("name")) or L("本市", "the City")
    # the plan's municipality name is user text (escaped); 本市 / the City is the template's
    muni_part = _u(muni) if clean_text((plan.get("municipality") or {}).get("name")) else muni
    form = settings["legal_form"]
    form_word = FORM_TITLES[form][2] if ja else ("ordinance" if form == "ordinance" else
                                                  "guideline" if form == "guideline" else
                                                  "rules" if form == "rules" else "standard")
    purpose = settings["purpose"] or clean_text((plan.get("project") or {}).get("purpose"))

    def need(key):
        label = _pick(FIELD_LABELS[key], lang)
        return (f"【要記入：{label}】" if ja else f"[TO FILL IN: {label}]", False)

    def val(key, value=None):
        value = settings.get(key) if value is None else value
        return _u(value) if value not in (None, "") else need(key)

    arts: list[tuple[str, list[_Text]]] = []

    def art(heading_ja, heading_en, *paras):
        arts.append((L(heading_ja, heading_en), list(paras)))

    uc_labels = [_pick(USE_CASE_LABELS[u], lang) for u in use_cases]
    art("目的", "Purpose",
        _t(L(f"この{form_word}は、", f"This {form_word} sets out what is needed for the "
                                       "installation and operation of the security cameras that "),
           muni_part,
           L("が公共の場所に設置する防犯カメラの設置及び運用に関し必要な事項を定めることにより、",
             " installs in public places, in order to achieve "),
           val("purpose", purpose),
           L("を図るとともに、個人の権利利益を保護することを目的とする。",
             ", while protecting the rights and interests of individuals.")))
    art("定義", "Definitions",
        _t(L("(1) 防犯カメラ　前条の目的のため特定の場所に継続的に設置する撮影装置で、画像を記録又は解析する機能を有するものをいう。",
             "(1) Security camera: a filming device installed permanently at a given place for the purpose in the previous article, able to record or analyse images.")),
        _t(L("(2) 画像　防犯カメラにより撮影された画像のうち、特定の個人を識別することができるものをいう。",
             "(2) Image: an image filmed by a security camera from which a specific individual can be identified.")))
    uses = [_t(L("防犯カメラの利用目的は、次のとおりとする。", "The cameras are used for the following purposes."))]
    uses += [_t(f"({i}) {label}") for i, label in enumerate(uc_labels, 1)] or \
        [_t(L("【要記入：用途】", "[TO FILL IN: uses]"))]
    if "face_identification" in use_cases:
        uses.append(_t(L("顔識別機能を用いること及びその目的を、ウェブサイト及び設置の表示により公表する。",
                         "The use of face identification and its purpose are published on the website and on the signs.")))
    if "people_attributes" in use_cases:
        uses.append(_t(L("属性（性別・年齢層等）の推定を行うこと及びその目的を公表する。",
                         "The estimation of attributes (gender, age group …) and its purpose are published.")))
    art("利用目的", "Purposes of use", *uses)
    art("設置場所及び撮影範囲", "Locations and area filmed",
        _t(L("防犯カメラの設置場所は、", "The cameras are installed at "), val("locations"),
           L("とし、その一覧を公表する。", "; a list of locations is published.")),
        _t(L("撮影範囲は、", "The area filmed is "), val("coverage") if settings["coverage"] else
           (L("目的の達成に必要な最小限の範囲", "the smallest area needed for the purpose"), False),
           L("とし、住居の内部及び窓等、私的な空間を撮影しないよう向き又はマスク処理により配慮する。",
             "; the inside of homes, windows and other private spaces are excluded by aiming or masking.")))
    sign = [_t(L("撮影区域内の見やすい場所に、防犯カメラが作動中であること、設置目的、設置者及び連絡先を表示する。",
                 "A sign in a visible place in the filmed area states that cameras are operating, the purpose, the operator and a contact."))]
    sign.append(_t(L("表示の文言は「", "Sign wording: “"), val("sign_text"), L("」とする。", "”.")))
    if mode != "none":
        sign.append(_t(L("人数計測を行うカメラには、映像を保存せず統計のみを作成する旨を併せて表示する。",
                         "Cameras that count people also state that no video is kept and only statistics are made.")))
    art("設置の表示", "Signs", *sign)
    art("管理責任者等", "Manager and operators",
        _t(L("防犯カメラ及び画像を適正に管理するため、管理責任者を置き、", "A manager is appointed to manage the cameras and images properly: "),
           val("manager"), L("をもって充てる。", ".")),
        _t(L("管理責任者は、画像を取り扱う取扱担当者（", "The manager designates the operators who handle images ("),
           val("operators") if settings["operators"] else (L("管理責任者が指定する職員", "staff designated by the manager"), False),
           L("）を指定し、取扱担当者以外の者に操作させない。", ") and lets no one else operate the system.")))
    art("秘密の保持", "Confidentiality",
        _t(L("管理責任者及び取扱担当者は、画像から知り得た情報を漏らしてはならない。その職を退いた後も同様とする。",
             "The manager and operators must not disclose information learnt from images, also after leaving their posts.")))
    manage = [_t(L("録画装置は施錠できる場所に置き、閲覧は取扱担当者が目的の範囲内で行い、閲覧の記録を残す。",
                   "Recorders are kept in a lockable place; images are viewed only by operators, within the purpose, and viewing is logged."))]
    if settings.get("live_viewing") is False:
        manage.append(_t(L("モニターによる常時の監視は行わない。", "There is no continuous live monitoring.")))
    manage.append(_t(L("不正アクセス、漏えい、滅失及びき損を防ぐため、初期パスワードの変更、通信の暗号化、ソフトウェアの更新等の安全管理措置を講じ、漏えい等が生じたときは法令に従い報告する。",
                       "Security measures (changed default passwords, encrypted links, software updates) prevent unauthorised access, leaks, loss and damage; leaks are reported as the law requires.")))
    art("画像の管理", "Handling of images", *manage)
    if mode == "statistics_only":
        keep = [_t(L("映像は防犯カメラ内で解析した後直ちに消去し、保存しない。作成するのは人数等の統計データのみとする。",
                     "Video is analysed inside the camera and deleted at once; it is not kept. Only statistics such as counts are produced."))]
        if settings["retention_days"] is not None:
            keep.append(_t(L("統計データの保存期間は", "Statistics are kept for "),
                           _u(str(settings["retention_days"])), L("日間とする。", " days.")))
    else:
        keep = [_t(L("画像の保存期間は", "Images are kept for "),
                   _u(str(settings["retention_days"])) if settings["retention_days"] is not None else need("retention_days"),
                   L("日間とし、期間を経過した画像は自動的に上書きして消去する。",
                     " days; older images are overwritten automatically."))]
        if mode == "mixed":
            keep.append(_t(L("人数計測のみを行うカメラの映像は、カメラ内で解析した後直ちに消去し、保存しない。",
                             "Cameras used only for counting analyse video inside the camera and delete it at once.")))
        keep.append(_t(L("ただし、「利用及び提供の制限」の規定により提供するため必要な画像は、必要な期間に限り保存することができる。",
                         "Images needed for a provision allowed under 'Limits on use and provision' may be kept only as long as necessary.")))
    art("保存期間", "Retention", *keep)
    art("画像の消去", "Deletion",
        _t(L("保存期間を経過した画像は上書きにより消去し、記録媒体を廃棄するときは物理的に破壊する。",
             "Images past the retention period are overwritten; storage media are physically destroyed when disposed of.")))
    art("利用及び提供の制限", "Limits on use and provision",
        _t(L("画像は利用目的以外に利用し、又は第三者に提供してはならない。ただし、次のいずれかに該当するときはこの限りでない。",
             "Images are not used for other purposes nor provided to third parties, except:")),
        _t(L("(1) 法令に基づくとき。", "(1) when a law requires it;")),
        _t(L("(2) 捜査機関から犯罪の捜査のため書面により照会を受けたとき。", "(2) on a written request of an investigating authority for a criminal investigation;")),
        _t(L("(3) 人の生命、身体又は財産の保護のため緊急かつやむを得ないと認めるとき。", "(3) when urgently needed to protect a person's life, body or property;")),
        _t(L("(4) 本人の同意があるとき、又は本人に提供するとき。", "(4) with the person's consent, or to the person.")),
        _t(L("提供したときは、提供先、日時、理由及び画像の内容を記録する。", "Every provision is logged: recipient, date, reason and images.")),
        _t(L("法的根拠なく、画像を他の情報と照合してはならない。", "Images are not matched with other data without a legal basis.")))
    if "face_identification" in use_cases:
        art("顔識別", "Face identification",
            _t(L("顔識別による照合は利用目的の範囲内に限り、照合の記録を残す。", "Face matching is done only within the purpose, and logged.")),
            _t(L("照合用データベースへの登録基準、登録期間、定期的な見直し及び誤登録時の削除と本人への対応を、個人情報保護委員会が民間事業者向けに示した顔識別機能付きカメラシステムの留意事項に準じて別に定める。",
                 "Registration criteria, period, periodic review, and deletion and remedy for wrong registrations are set separately, following the points the Personal Information Protection Commission set out for private operators of face-identification camera systems.")),
            _t(L("本人の同意なく顔識別データを第三者に提供できる場合の基準を別に定める。",
                 "Criteria for providing face data to third parties without consent are set separately.")))
    if {"crime_info_sharing", "face_identification"} & set(use_cases):
        art("共同利用", "Shared use",
            _t(L("画像又はこれから得た情報を他の団体と共同して利用するときは、共同利用する者の範囲、項目、目的及び管理責任者等を必要最小限とし、あらかじめ本人に通知し、又は公表する。",
                 "When images or derived data are shared with other bodies, the parties, items, purpose and responsible person are kept to the minimum and notified or published in advance.")))
    if settings.get("audio"):
        art("音声", "Sound",
            _t(L("悲鳴、怒鳴り声、急ブレーキ音等、別に定める音量以上の異常音に限り収集することができる。会話の内容は記録しない。",
                 "Only abnormal sounds above a set volume (screams, shouting, sudden braking) may be collected; conversations are not recorded.")))
    else:
        art("音声", "Sound", _t(L("防犯カメラにより音声は取得しない。", "The cameras do not capture sound.")))
    art("委託", "Contractors",
        _t(L("防犯カメラの保守又は画像の処理を委託するときは、契約書に安全管理措置、再委託の制限、秘密の保持、監査及び契約終了時の画像の返還又は消去を定める。",
             "Maintenance or processing contracts include security measures, limits on sub-contracting, confidentiality, audits, and return or deletion of images at the end.")))
    art("開示請求等", "Requests from individuals",
        _t(L("本人からの画像の開示、訂正及び利用停止の請求には、個人情報の保護に関する法律に基づき対応する。画像に写る他の者はマスク処理する。",
             "Requests for disclosure, correction or suspension are handled under the Act on the Protection of Personal Information; other people in the images are masked.")))
    art("苦情処理", "Complaints",
        _t(L("防犯カメラに関する苦情及び問合せの窓口は、", "Complaints and questions about the cameras go to "), val("contact"),
           L("とし、迅速かつ適切に対応する。", ", which answers them promptly and properly.")))
    art("評価及び見直し", "Evaluation and review",
        _t(L("毎年度、設置の効果（犯罪認知件数の推移等）及び運用の状況を評価して公表し、設置の必要性、設置場所及びこの",
             "Every fiscal year the effect (e.g. recorded-crime trend) and the operation are evaluated and published, and the need, locations and this "),
           form_word, L("を見直す。", " are reviewed.")))
    art("補則", "Supplementary",
        _t(L(f"この{form_word}に定めるもののほか、必要な事項は別に定める。",
             f"Other necessary matters are set separately from this {form_word}.")))

    title, title_en = FORM_TITLES[form][:2]
    todo = []
    for value in unknown_use_cases:
        todo.append(_t(L("用途の値「", "Use-case value “"), _u(value),
                       L("」はこのアプリで扱えないため、利用目的に含めていません。用途を選び直してください。",
                         "” is not one the app knows, so it is left out of the purposes; choose the use cases again.")))
    for key in bad_settings:
        todo.append(_t(L("設定「", "Setting “"), _pick(SETTING_LABELS[key], lang),
                       L("」の保存値はこのアプリで扱えないため、既定値で作成しています。",
                         "” holds a value the app cannot use; the draft uses the default.")))
    for key in privacy.missing_settings(settings, mode=mode):
        todo.append(_t(L("未記入: ", "Not filled in: "), _pick(FIELD_LABELS[key], lang)))
    references = []
    if items is not None:
        asked = privacy.triggered_items(items, use_cases)
        for gap in privacy.gaps(asked, answers, mode=mode, lang=lang):
            todo.append(_t(f"{gap['id']} ", _u(gap["title"]), " — ", _u(gap["basis"])))
        references = [_t(_u(text)) for text in reference_list(asked)]
    return {
        "title": _t(title if ja else title_en),
        "notice": _t(L("【下書き】この文書は見守りプランナーが自己評価の回答から作成した案です。施行の前に、必ず法務担当課（例規審査）及び個人情報保護担当課と内容を確認してください。",
                       "[DRAFT] This document was generated by Mimamori Planner from the self-assessment answers. Review it with the legal section and the privacy section before adoption.")),
        "preamble": _t(L("対象: ", "Plan: "), _u(plan.get("name") or ""), " / ", _u(muni)),
        "articles": arts,
        "todo": todo,
        "supplementary": _t(L(f"附則　この{form_word}は、令和　年　月　日から施行する。",
                              f"Supplementary provision: this {form_word} takes effect on [date].")),
        "todo_heading": _t(L("要検討事項（未対応の項目）", "Open points (items not done)")),
        "references": references,
        "references_heading": _t(L("参考（出典・閲覧日）", "References (sources, date read)")),
    }


def reference_list(asked) -> list[str]:
    """The sources of the asked legal and guideline items, once each, in item order:
    ``"title、publisher（閲覧日 YYYY-MM-DD） URL"``.

    Only citations whose page was read and confirmed (a ``date_read``) are listed; the
    others stay on the checklist page, marked there as unconfirmed.
    """
    out, seen = [], set()
    for item in asked:
        if item.get("basis_kind") not in ("law", "guideline"):
            continue
        for c in cite(item.get("source")):
            if not c.get("date_read") or c["url"] in seen:
                continue
            seen.add(c["url"])
            out.append(f"{citation_text(c)} {c['url']}".strip())
    return out


def _article_label(n: int, heading: str, lang: str) -> str:
    return f"第{n}条（{heading}）" if lang == "ja" else f"Article {n} ({heading})"


def build_markdown(plan: Mapping, items=None, *, lang: str = "ja") -> str:
    """The draft rules as Markdown text.

    Parameters
    ----------
    plan : mapping
        The plan; uses ``name``, ``municipality.name``, ``project.purpose``, ``use_cases``
        and ``privacy.settings`` / ``privacy.answers``.
    items : DataFrame or iterable of mappings, optional
        Rows of ``privacy_items``; when given, the open gaps are listed at the end.
    lang : {"ja", "en"}
        Language of the draft (the English one is a reading aid for presentations).

    Returns
    -------
    str
    """
    d = draft_articles(plan, items, lang=lang)
    out = [f"# {d['title'].markdown()}", "", f"> **{d['notice'].markdown()}**", "",
           d["preamble"].markdown(), ""]
    for n, (heading, paras) in enumerate(d["articles"], 1):
        out += [f"## {_article_label(n, heading, lang)}", ""]
        for para in paras:
            out += [para.markdown(), ""]
    out += [d["supplementary"].markdown(), ""]
    if d["references"]:
        out += [f"## {d['references_heading'].markdown()}", ""]
        out += [f"- {r.markdown()}" for r in d["references"]] + [""]
    if d["todo"]:
        out += [f"## {d['todo_heading'].markdown()}", ""]
        out += [f"- {t.markdown()}" for t in d["todo"]] + [""]
    return "\n".join(out)


#: Fonts the .docx declares: the 明朝 for the body and the ゴシック for headings that Word
#: (2016 and later, Windows 10/11) uses for Japanese documents, 英数字 in the same faces.
#: Where they are missing (LibreOffice on Linux) the Japanese fallback is used.
DOCX_MINCHO = "游明朝"
DOCX_GOTHIC = "游ゴシック"
#: A4 [mm] (ISO 216, JIS P 0138) and margins [mm]: the left one wider, for punching or
#: binding a 横書き document on its left edge.
DOCX_PAGE_MM = (210, 297)
DOCX_MARGINS_MM = {"top": 30, "bottom": 25, "left": 30, "right": 25}
DOCX_BODY_PT = 10.5
DOCX_LINE_PT = 18  # exact line pitch: 10.5 pt text with the usual 行間 of Japanese forms
DOCX_HEADING_PT = {"Title": 16, "Heading 1": 14, "Heading 2": 11}


def _set_fonts(rpr, latin: str, east_asia: str) -> None:
    """Declare the fonts of a run-properties element (``w:rPr``) explicitly.

    python-docx's ``font.name`` sets only the Latin slots; Japanese text takes the
    ``w:eastAsia`` slot, and a theme slot (``w:eastAsiaTheme`` …) wins over an explicit name,
    so the theme attributes are removed.
    """
    from docx.oxml.ns import qn
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr, name in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia),
                       ("cs", latin)):
        fonts.set(qn(f"w:{attr}"), name)


def _japanese_styles(doc, lang: str) -> None:
    """A4 page, 明朝 body, black ゴシック headings, exact line pitch, Japanese language."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(v) for v in DOCX_PAGE_MM)
    for side, mm in DOCX_MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.header_distance = section.footer_distance = Mm(12)

    # defaults of every style: fonts, size and the language (ja-JP makes Word and
    # LibreOffice treat the text as Japanese: line breaking (禁則), fallback fonts)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, DOCX_MINCHO, DOCX_MINCHO)
    language = rpr.find(qn("w:lang"))
    language.set(qn("w:val"), "ja-JP" if lang == "ja" else "en-GB")  # Latin text
    language.set(qn("w:eastAsia"), "ja-JP")

    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), DOCX_MINCHO, DOCX_MINCHO)
    normal.font.size = Pt(DOCX_BODY_PT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(DOCX_LINE_PT)
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)

    # the template's headings are theme-blue Calibri/Cambria: black ゴシック instead, in
    # the paragraph styles and the character styles linked to them
    for style in doc.styles:
        name = style.name or ""
        base = name.removesuffix(" Char")
        if base not in ("Title", "Subtitle") and not base.startswith("Heading"):
            continue
        _set_fonts(style.element.get_or_add_rPr(), DOCX_GOTHIC, DOCX_GOTHIC)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        if base in DOCX_HEADING_PT:
            style.font.size = Pt(DOCX_HEADING_PT[base])
    title = doc.styles["Title"]
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))  # the template's blue rule under the title
    if border is not None:
        ppr.remove(border)
    title.font.bold = True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(DOCX_LINE_PT)
    for level in (1, 2):
        fmt = doc.styles[f"Heading {level}"].paragraph_format
        fmt.space_before, fmt.space_after = Pt(DOCX_LINE_PT / 2), Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(DOCX_LINE_PT)
    header = doc.styles["Header"]
    _set_fonts(header.element.get_or_add_rPr(), DOCX_GOTHIC, DOCX_GOTHIC)
    header.font.size = Pt(9)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = doc.styles["Footer"]
    footer.font.size = Pt(9)
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page_number_footer(section) -> None:
    """「- n -」 centred in the footer of every page (Word's PAGE field)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    para = section.footer.paragraphs[0]
    para.style = "Footer"
    para.add_run("- ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"  # shown until the field is updated; Word and LibreOffice update it
    run.append(text)
    field.append(run)
    para._p.append(field)
    para.add_run(" -")


def build_docx(plan: Mapping, items=None, *, lang: str = "ja") -> bytes:
    """The draft rules as a Word document (.docx bytes); same content as
    :func:`build_markdown`, with 「【案】」 in every page header and 「- n -」 in every
    footer.

    A4 (210 × 297 mm) with :data:`DOCX_MARGINS_MM`; body in 明朝 (:data:`DOCX_MINCHO`,
    10.5 pt on an exact 18 pt line), title and article headings in black ゴシック
    (:data:`DOCX_GOTHIC`); the fonts are set in the ``w:eastAsia`` slot that Japanese text
    uses.
    """
    from docx import Document
    from docx.shared import Pt, RGBColor

    d = draft_articles(plan, items, lang=lang)
    doc = Document()
    _japanese_styles(doc, lang)
    doc.core_properties.title = d["title"].plain()
    doc.core_properties.language = "ja-JP" if lang == "ja" else "en-GB"
    header = doc.sections[0].header.paragraphs[0]
    header.text = "【案】下書き — 法務担当課と確認すること" if lang == "ja" else \
        "[DRAFT] to be reviewed with the legal section"
    _page_number_footer(doc.sections[0])
    doc.add_heading(d["title"].plain(), level=0)
    notice = doc.add_paragraph()
    run = notice.add_run(d["notice"].plain())
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    notice.paragraph_format.space_after = Pt(DOCX_LINE_PT / 2)
    doc.add_paragraph(d["preamble"].plain())
    for n, (heading, paras) in enumerate(d["articles"], 1):
        doc.add_heading(_article_label(n, heading, lang), level=2)
        for para in paras:
            p = doc.add_paragraph(para.plain())
            # 条文: the first line indented by one character, as in 例規
            p.paragraph_format.first_line_indent = Pt(DOCX_BODY_PT)
    supplementary = doc.add_paragraph(d["supplementary"].plain())
    supplementary.paragraph_format.space_before = Pt(DOCX_LINE_PT)
    if d["references"]:
        doc.add_heading(d["references_heading"].plain(), level=2)
        for r in d["references"]:
            doc.add_paragraph(r.plain(), style="List Bullet")
    if d["todo"]:
        doc.add_heading(d["todo_heading"].plain(), level=2)
        for t in d["todo"]:
            doc.add_paragraph(t.plain(), style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def file_name(plan: Mapping, ext: str) -> str:
    """A safe download name, e.g. ``運用要綱案_<plan name>.docx``."""
    if ext not in ("md", "docx"):
        raise ValueError(f"ext must be one of md, docx, got {ext!r}")
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", clean_text(plan.get("name"), limit=60)) or "plan"
    return f"運用要綱案_{name}.{ext}"


__all__ = ["build_markdown", "build_docx", "draft_articles", "clean_text", "escape_md",
           "file_name", "reference_list", "USE_CASE_LABELS"]
