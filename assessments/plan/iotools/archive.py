"""GML uploads: one XML file or a .zip of them, unpacked within :class:`Limits`; and the one
safe XML parser set-up of the GML readers.

The 基盤地図情報 download service delivers one .zip per 2nd mesh and item (``FG-GML-
533946-RdEdg-20230101.zip``, ``FG-GML-5339-46-DEM5A.zip``) and, for several items at once,
a .zip of those .zip files [1]_; so one level of nested .zip is opened.

Safety: the declared sizes of all members (``max_uncompressed_bytes``), the number of
members (``max_zip_members``) and each member's compression ratio
(``max_compression_ratio`` above 1 MB) are checked before anything is unpacked, and every
read is capped, so a member that lies about its size stops at the limit (zip bombs). XML
with a document type declaration is refused before parsing (entity expansion, external
entities), and lxml parses without entities, DTDs or network.

References
----------
.. [1] 国土交通省国土地理院, 基盤地図情報ダウンロードデータのファイル名について (参考資料4):
   ``FG-GML-ppppqq-ss-YYYYMMDD.zip`` per item, ``FG-GML-pppp-qq-DEM5X.zip`` for the DEM,
   https://fgd.gsi.go.jp/download/ref_kihon.html
"""
from __future__ import annotations

import io
import zipfile
import zlib

from .result import ImportResult, Limits, short
from .xlsx import DTD_MARKERS, ZIP_MAGIC

__all__ = ["GML_SUFFIXES", "XML_PARSER_OPTIONS", "gml_files", "refuse_doctype", "split_tag"]

#: Names of the GML files taken from a .zip (the download service names them ``.xml``).
GML_SUFFIXES = (".xml", ".gml")
#: lxml options of every GML reader: no entity expansion, no DTD, no network.
XML_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_comments=True, remove_pis=True)
#: What reading a damaged member raises: bad CRC or header (``BadZipFile``), a broken
#: deflate stream (``zlib.error``), a cut file (``EOFError``), an unreadable offset
#: (``OSError``, ``ValueError``), a compression method zipfile lacks
#: (``NotImplementedError``).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
              NotImplementedError)
_EMPTY_ZIP = b"PK\x05\x06"


def split_tag(tag) -> tuple[str, str]:
    """An lxml tag as ``(namespace, local name)``: ``{ns}local`` → ``(ns, local)``, a name
    without namespace → ``("", name)``; comments and processing instructions (whose tag is
    not a string) → ``("", "")``."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def refuse_doctype(data: bytes, res: ImportResult) -> bool:
    """True (and ``xml_entities`` recorded) when ``data`` declares a DOCTYPE or entities.

    GML never needs them; refusing them before parsing stops entity expansion ("billion
    laughs") and external entities (XXE), in UTF-8 and UTF-16 files.
    """
    for marker in DTD_MARKERS:
        if marker in data:
            res.add(None, "", "xml_entities", "", "XML with a document type declaration "
                    "or entities is refused (security)")
            return True
    return False


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; Japanese names stored in CP932 without the UTF-8 flag are
    decoded as CP932 (zipfile reads them as CP437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp932")
    except UnicodeError:
        return info.filename


def gml_files(data: bytes, filename: str, res: ImportResult, limits: Limits, *,
              select=None):
    """The GML documents of an upload: ``[(name, bytes), …]`` or ``None`` (problem recorded).

    Parameters
    ----------
    data : bytes
        A GML/XML file, or a .zip of them (nested .zip one level deep).
    filename : str
        The upload's name (used as the name of a plain file).
    res : ImportResult
        Receives ``too_large``, ``empty``, ``bad_zip``, ``encrypted``, ``zip_bomb``,
        ``no_gml_in_zip``; ``res.meta["files"]`` lists the names read.
    limits : Limits
        ``max_geo_bytes`` (the upload and each member), ``max_uncompressed_bytes``,
        ``max_compression_ratio``, ``max_zip_members``.
    select : callable, optional
        ``select(member name) -> bool``: the GML members of a .zip to read (a PLATEAU
        download also holds other models and code lists). The others are neither counted
        against the limits nor read; their names are in ``res.meta["files_not_read"]``, and
        when no member is left the result is ``[]`` (the caller says why).
    """
    data = bytes(data)
    if len(data) > limits.max_geo_bytes:
        res.add(None, "", "too_large", str(len(data)),
                f"the file is {len(data):,} bytes; the limit is {limits.max_geo_bytes:,}")
        return None
    if not data.strip():
        res.add(None, "", "empty", "", "the file is empty")
        return None
    if not (data.startswith(ZIP_MAGIC) or data.startswith(_EMPTY_ZIP)):
        res.meta["files"] = [filename]
        return [(filename, data)]
    budget = [limits.max_uncompressed_bytes, limits.max_zip_members]
    refused = []
    out = _unzip(data, filename, res, limits, budget, depth=0, select=select, refused=refused)
    if out is None:
        return None
    if refused:
        res.meta["files_not_read"] = refused
    if not out and refused:
        res.meta["files"] = []
        return []
    if not out:
        res.add(None, "", "no_gml_in_zip", filename, "the .zip holds no .xml / .gml file")
        return None
    res.meta["files"] = [n for n, _ in out]
    return out


def _unzip(data, name, res, limits, budget, depth, select=None, refused=None):
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except ZIP_ERRORS as exc:
        res.add(None, "", "bad_zip", name, f"the .zip file is damaged ({short(str(exc))})")
        return None
    if select is not None:
        keep = []
        for i in infos:
            low = _member_name(i).lower()
            if low.endswith(GML_SUFFIXES) and not select(_member_name(i)):
                refused.append(_member_name(i))
            else:
                keep.append(i)
        infos = keep
    if any(i.flag_bits & 0x1 for i in infos):
        res.add(None, "", "encrypted", name, "a password-protected .zip cannot be read")
        return None
    budget[1] -= len(infos)
    total = sum(i.file_size for i in infos)
    if budget[1] < 0 or total > budget[0]:
        res.add(None, "", "zip_bomb", str(total), f"{name} would unpack to {total:,} bytes "
                f"in {len(infos):,} files; the limits are {limits.max_uncompressed_bytes:,} "
                f"bytes and {limits.max_zip_members:,} files")
        return None
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > limits.max_compression_ratio * max(
                1, i.compress_size):
            res.add(None, "", "zip_bomb", _member_name(i), f"{_member_name(i)} is "
                    f"compressed {i.file_size / max(1, i.compress_size):.0f}:1 (limit "
                    f"{limits.max_compression_ratio:.0f}:1)")
            return None
    out = []
    for i in infos:
        mname = _member_name(i)
        low = mname.lower()
        base = low.rsplit("/", 1)[-1]
        if low.startswith("__macosx/") or base.startswith("._"):
            continue                      # macOS resource forks, not data
        nested = low.endswith(".zip") and depth == 0
        if not (nested or low.endswith(GML_SUFFIXES)):
            continue
        cap = min(budget[0], limits.max_geo_bytes)
        try:
            with zf.open(i) as f:
                blob = f.read(cap + 1)
        except ZIP_ERRORS as exc:
            res.add(None, "", "bad_zip", mname, f"{mname} in the .zip is damaged "
                    f"({short(str(exc))})")
            return None
        if len(blob) > cap:               # the member is larger than it declared
            res.add(None, "", "zip_bomb", mname, f"{mname} unpacks to more than {cap:,} "
                    "bytes")
            return None
        budget[0] -= len(blob)
        if nested:
            inner = _unzip(blob, mname, res, limits, budget, depth + 1, select, refused)
            if inner is None:
                return None
            out.extend(inner)
        else:
            out.append((mname, blob))
    return out


def each_gml(files, res: ImportResult, parse) -> bool:
    """Call ``parse(name, data)`` on every ``(name, data)`` of :func:`gml_files`, in order.

    A file that is not well-formed XML is a ``bad_xml`` problem naming it; ``parse`` returns
    False (or None) after a fatal problem it recorded itself. Returns True when every file
    was read.
    """
    from lxml import etree
    for name, blob in files:
        try:
            ok = parse(name, blob)
        except etree.XMLSyntaxError as exc:
            res.add(None, "", "bad_xml", name, f"{name} is not well-formed XML "
                    f"({short(str(exc))})")
            ok = False
        if not ok:
            return False
    return True
