"""Offline installation: a wheelhouse made on a connected PC, installed on a PC without one.

A wheelhouse is a folder of wheels (binary packages) for one target platform and Python
version, with the app's ``requirements.txt``, ``manifest.csv`` (package, version, file,
size and SHA-256 of every wheel) and ``README.txt``. Steps (docs/offline-install.md)::

    python tools/wheelhouse.py build --platform win_amd64 --python 3.12 --out wheelhouse
    python tools/wheelhouse.py install wheelhouse     # on the offline PC
    python tools/wheelhouse.py smoke                  # on the offline PC: does the app run?

``install`` runs ``python -m pip install --no-index --find-links wheelhouse -r
wheelhouse/requirements.txt`` after checking every file against the manifest, with the PC's
own pip settings (pip.ini, ``PIP_*`` variables) left out, so the wheelhouse is the only source.

Exit status: 0 success; 2 a check failed (a package without a wheel for the target, a
damaged or missing file, a failed smoke step: the message on stderr names it); a bad
argument is argparse's usage error (also 2).

Needs only the Python standard library and pip (``packaging`` is taken from pip's own copy
when it is not installed), so it runs on a fresh python.org Python.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import email.parser
import hashlib
import importlib
import importlib.metadata
import os
import pkgutil
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

try:  # the public package when installed; pip always carries a copy
    from packaging import markers, requirements, tags, utils, version
except ImportError:
    from pip._vendor.packaging import markers, requirements, tags, utils, version

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
MANIFEST = "manifest.csv"
README = "README.txt"
MANIFEST_FIELDS = ("package", "version", "file", "size_bytes", "sha256")
# the app's own packages; the smoke test imports every module in them (pages/ are scripts)
APP_PACKAGES = ("assessments", "datasets", "reports", "ui")

__all__ = ["WheelhouseError", "Wheel", "pip_platforms", "target_environment",
           "read_requirements", "read_wheel", "missing_requirements", "build",
           "install_command", "verify", "install", "smoke", "main"]


class WheelhouseError(Exception):
    """A check failed; the message names the package or file and says what to do."""


@dataclass(frozen=True)
class Wheel:
    """One wheel file and the parts of its metadata that the dependency walk needs."""
    path: Path
    name: str
    version: version.Version
    requires: tuple[str, ...]

    @property
    def key(self) -> str:
        return utils.canonicalize_name(self.name)


# ---------------------------------------------------------------- target platform

_MANYLINUX = re.compile(r"manylinux_(\d+)_(\d+)_(\w+)")
# PEP 600: the legacy manylinux names are these glibc versions
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
_MACHINES = {"amd64": "AMD64", "arm64": "ARM64", "win32": "x86"}


def pip_platforms(platform: str) -> list[str]:
    """pip's ``--platform`` values that together mean one target platform tag.

    Parameters
    ----------
    platform : str
        A wheel platform tag: ``win_amd64``, ``manylinux_2_28_x86_64``, ``macosx_11_0_arm64`` …

    Returns
    -------
    list of str
        For ``manylinux_2_X_<arch>`` every glibc from 2.X down to 2.5 and the legacy names
        (PEP 600): pip takes that tag literally (pypa/pip ``_get_custom_platforms``), so the
        many wheels tagged for an older glibc, e.g. ``manylinux_2_17``, would not match.
        Any other tag is passed on as it is.
    """
    match = _MANYLINUX.fullmatch(platform)
    if not match:
        return [platform]
    major, minor, arch = int(match[1]), int(match[2]), match[3]
    out = []
    for glibc_minor in range(minor, 4, -1):
        out.append(f"manylinux_{major}_{glibc_minor}_{arch}")
        legacy = _LEGACY_MANYLINUX.get((major, glibc_minor))
        # manylinux2010 and manylinux1 were defined for x86 only
        if legacy == "manylinux2014" or (legacy and arch in ("x86_64", "i686")):
            out.append(f"{legacy}_{arch}")
    return out


def target_environment(platform: str | None = None, python: str | None = None) -> dict:
    """PEP 508 marker values of the PC the wheelhouse is for.

    pip evaluates the markers of requirements (``tzdata; sys_platform == "win32"``) for the PC
    it runs on, even with ``--platform`` (a known pip limitation: the option changes the wheel
    tags it accepts, not the markers), so a wheelhouse made on Linux for Windows would lack
    Windows-only packages. :func:`build` walks the dependencies again with these values.

    Parameters
    ----------
    platform : str, optional
        Wheel platform tag (``win_amd64``, ``win32``, ``win_arm64``, ``manylinux_…``,
        ``musllinux_…``, ``linux_…``, ``macosx_…``); ``None``: this PC.
    python : str, optional
        ``"3.12"``; ``None``: the running Python.

    Returns
    -------
    dict
        ``packaging.markers.default_environment()`` with the target's values.

    Raises
    ------
    ValueError
        An unknown platform family or a Python version not of the form ``3.12``.
    """
    env = dict(markers.default_environment())
    if python is not None:
        if not re.fullmatch(r"3\.\d{1,2}", python):
            raise ValueError(f"Python version must look like 3.12, got {python!r}")
        env.update(python_version=python, python_full_version=f"{python}.0",
                   implementation_version=f"{python}.0")
    if platform is not None:
        env.update(implementation_name="cpython", platform_python_implementation="CPython")
        if platform in ("win32", "win_amd64", "win_arm64"):
            env.update(sys_platform="win32", platform_system="Windows", os_name="nt",
                       platform_machine=_MACHINES[platform.rpartition("_")[2]])
        elif platform.startswith(("manylinux", "musllinux", "linux_")):
            arch = re.sub(r"^(manylinux_\d+_\d+|musllinux_\d+_\d+|manylinux\w*?|linux)_",
                          "", platform)
            env.update(sys_platform="linux", platform_system="Linux", os_name="posix",
                       platform_machine=arch)
        elif platform.startswith("macosx_"):
            env.update(sys_platform="darwin", platform_system="Darwin", os_name="posix",
                       platform_machine=platform.split("_", 3)[-1])
        else:
            raise ValueError(f"unknown platform {platform!r}: use win_amd64, win32, win_arm64, "
                             "manylinux_<glibc>_<arch>, musllinux_…, linux_<arch> or macosx_…")
    return env


def describe_target(platform: str | None, python: str | None) -> str:
    """``win_amd64, Python 3.12``; this PC's platform and Python where not given."""
    return (f"{platform or sysconfig.get_platform()}, "
            f"Python {python or '%d.%d' % sys.version_info[:2]}")


# ---------------------------------------------------------------- requirements and wheels

def read_requirements(path: Path) -> list[requirements.Requirement]:
    """The requirements of a plain requirements file (one per line, ``#`` comments).

    Raises
    ------
    WheelhouseError
        A line that is not a requirement (``-r``, ``--index-url`` …): a wheelhouse is made
        from one self-contained file.
    """
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            out.append(requirements.Requirement(line))
        except requirements.InvalidRequirement as exc:
            raise WheelhouseError(f"{path}:{number}: not a plain requirement: {line} "
                                  f"({exc})") from None
    return out


def read_wheel(path: Path) -> Wheel:
    """Name, version and ``Requires-Dist`` of a wheel, from its ``.dist-info/METADATA``.

    Raises
    ------
    WheelhouseError
        Not a readable wheel (a damaged download or copy).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            meta = next(n for n in archive.namelist()
                        if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            message = email.parser.BytesParser().parsebytes(archive.read(meta), headersonly=True)
        return Wheel(path=Path(path), name=message["Name"],
                     version=version.Version(message["Version"] or ""),
                     requires=tuple(message.get_all("Requires-Dist") or ()))
    except (zipfile.BadZipFile, StopIteration, version.InvalidVersion) as exc:
        raise WheelhouseError(f"{Path(path).name} is not a readable wheel "
                              f"({exc or 'no METADATA'})") from None


def missing_requirements(reqs, wheels, environment: dict) -> tuple[list, set]:
    """Walk the requirements through the wheels' dependencies for one target.

    Parameters
    ----------
    reqs : list of packaging.requirements.Requirement
        The top-level requirements.
    wheels : list of Wheel
        The wheels at hand.
    environment : dict
        Marker values of the target (:func:`target_environment`).

    Returns
    -------
    missing : list of Requirement
        Requirements the target needs that no wheel satisfies (without their markers).
    needed : set of Path
        The wheels the target needs.
    """
    by_key: dict[str, list[Wheel]] = {}
    for wheel in wheels:
        by_key.setdefault(wheel.key, []).append(wheel)

    def applies(req, extra=""):
        return req.marker is None or req.marker.evaluate(dict(environment, extra=extra))

    todo = [req for req in reqs if applies(req)]
    seen, missing, needed = set(), [], set()
    while todo:
        req = todo.pop()
        key = utils.canonicalize_name(req.name)
        if (key, str(req.specifier), frozenset(req.extras)) in seen:
            continue
        seen.add((key, str(req.specifier), frozenset(req.extras)))
        match = next((w for w in by_key.get(key, ())
                      if req.specifier.contains(w.version, prereleases=True)), None)
        if match is None:
            plain = requirements.Requirement(str(req))
            plain.marker = None
            missing.append(plain)
            continue
        needed.add(match.path)
        for text in match.requires:
            dep = requirements.Requirement(text)
            if any(applies(dep, extra) for extra in ("", *sorted(req.extras))):
                todo.append(dep)
    return missing, needed


# ---------------------------------------------------------------- build

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_NO_WHEEL = re.compile(r"(?:No matching distribution found for|"
                       r"Could not find a version that satisfies the requirement) (\S+)")
_NO_NETWORK = ("connection broken by", "NewConnectionError", "ProxyError", "Could not fetch URL",
               "Temporary failure in name resolution", "Network is unreachable")


def _pip_download(args: list[str], out: Path, *, platform, python, target: str) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest", str(out)]
    if platform:
        cmd += [f"--platform={tag}" for tag in pip_platforms(platform)]
    if python:
        cmd += ["--python-version", python]
    if platform or python:
        cmd += ["--implementation", "cp"]
    print("$ " + " ".join(cmd + args), flush=True)
    done = subprocess.run(cmd + args, stderr=subprocess.PIPE, text=True, errors="replace")
    if done.returncode == 0:
        return
    sys.stderr.write(done.stderr)
    names = list(dict.fromkeys(_NO_WHEEL.findall(done.stderr)))
    offline = any(sign in done.stderr for sign in _NO_NETWORK)
    if offline:
        raise WheelhouseError("pip could not reach the package index: building a wheelhouse "
                              "needs the network (a connected PC)"
                              + (f"; not found: {', '.join(names)}" if names else ""))
    if names:
        raise WheelhouseError(f"no wheel of {', '.join(names)} for {target} (pip download "
                              "--only-binary=:all:): choose another Python version or platform")
    raise WheelhouseError(f"pip download failed (exit {done.returncode}); see pip's message above")


def _clear_previous(out: Path) -> None:
    """Empty ``out`` when it is a wheelhouse made before; refuse any other non-empty folder
    (a stray wheel there could be installed instead of the listed one)."""
    if not out.exists():
        return
    if (out / MANIFEST).is_file():
        for path in out.iterdir():
            if path.suffix == ".whl" or path.name in (MANIFEST, README, REQUIREMENTS.name):
                path.unlink()
    left = sorted(p.name for p in out.iterdir())
    if left:
        raise WheelhouseError(f"{out} is not empty ({', '.join(left[:5])}…): give an empty or "
                              "new folder, or a wheelhouse made before")


def build(out: Path, *, platform: str | None = None, python: str | None = None,
          requirements_file: Path = REQUIREMENTS) -> list[Wheel]:
    """Download the wheels ``requirements_file`` needs on the target into ``out``.

    Parameters
    ----------
    out : Path
        Empty or new folder, or a wheelhouse made before (replaced).
    platform : str, optional
        Target wheel platform tag (``win_amd64``, ``manylinux_2_28_x86_64``); ``None``: this PC.
    python : str, optional
        Target Python ``"3.12"``; ``None``: the running Python.
    requirements_file : Path
        Copied into the wheelhouse as ``requirements.txt``.

    Returns
    -------
    list of Wheel
        The wheels written to ``manifest.csv``, by package name.

    Raises
    ------
    WheelhouseError
        A requirement (or a dependency) has no wheel for the target; the message names it.
    """
    target = describe_target(platform, python)
    environment = target_environment(platform, python)
    reqs = read_requirements(requirements_file)
    out = Path(out)
    _clear_previous(out)
    out.mkdir(parents=True, exist_ok=True)
    _pip_download(["-r", str(requirements_file)], out, platform=platform, python=python,
                  target=target)
    tried: set[str] = set()
    while True:
        wheels = [read_wheel(p) for p in sorted(out.glob("*.whl"))]
        missing, needed = missing_requirements(reqs, wheels, environment)
        if not missing:
            break
        names = sorted(str(r) for r in missing)
        if tried.issuperset(names):  # pip said it got them, yet they do not fit
            raise WheelhouseError(f"no wheel of {', '.join(names)} for {target}")
        tried.update(names)
        # pip skipped these: their markers are false on this PC but true on the target
        _pip_download(names, out, platform=platform, python=python, target=target)
    for wheel in wheels:
        if wheel.path not in needed:  # pulled in by a marker true only on this PC
            print(f"left out {wheel.path.name}: not needed on {target}")
            wheel.path.unlink()
    kept = sorted((w for w in wheels if w.path in needed), key=lambda w: w.key)
    _write_manifest(out, kept)
    shutil.copyfile(requirements_file, out / REQUIREMENTS.name)
    _write_readme(out, kept, target)
    total_mb = sum(w.path.stat().st_size for w in kept) / 1e6
    print(f"wheelhouse {out}: {len(kept)} wheels, {total_mb:.0f} MB, for {target}")
    return kept


def _write_manifest(out: Path, wheels: list[Wheel]) -> None:
    with open(out / MANIFEST, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(MANIFEST_FIELDS)
        for w in wheels:
            writer.writerow([w.name, str(w.version), w.path.name, w.path.stat().st_size,
                             _sha256(w.path)])


def _write_readme(out: Path, wheels: list[Wheel], target: str) -> None:
    size_mb = sum(w.path.stat().st_size for w in wheels) / 1e6
    today = datetime.date.today().isoformat()
    text = f"""見守りプランナー オフライン導入用パッケージ (wheelhouse)
対象: {target} / 作成日: {today} / {len(wheels)} ファイル, {size_mb:.0f} MB
各ファイルの版と SHA-256: {MANIFEST}   手順: docs/offline-install.md

このフォルダをアプリのフォルダ（app.py のあるフォルダ）に wheelhouse という名前で置き、
そこで次を実行します（Windows では / を \\ に読み替えてください）。
  導入: python tools/wheelhouse.py install wheelhouse
  確認: python tools/wheelhouse.py smoke
  起動: python -m streamlit run app.py

Mimamori Planner offline installation bundle (wheelhouse)
Target: {target} / made {today} / {len(wheels)} files, {size_mb:.0f} MB
Versions and SHA-256 of every file: {MANIFEST}   Steps: docs/offline-install.md

Put this folder next to app.py as "wheelhouse" and run there:
  install: python tools/wheelhouse.py install wheelhouse
  check:   python tools/wheelhouse.py smoke
  start:   python -m streamlit run app.py
"""
    # with a BOM: Notepad before Windows 10 1903 reads UTF-8 only with one
    (out / README).write_text(text, encoding="utf-8-sig")


# ---------------------------------------------------------------- install

def install_command(wheelhouse: Path, python: str = "python") -> list[str]:
    """The one pip command that installs from the wheelhouse alone (docs/offline-install.md)."""
    wheelhouse = Path(wheelhouse)
    return [python, "-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse),
            "-r", str(wheelhouse / REQUIREMENTS.name)]


def verify(wheelhouse: Path) -> list[dict]:
    """Check the wheelhouse against its manifest and the running Python.

    Returns
    -------
    list of dict
        The manifest rows.

    Raises
    ------
    WheelhouseError
        No manifest; a listed file missing or with another SHA-256 (a damaged copy); a wheel
        not listed; a wheel that does not fit this Python (made for another version or OS).
    """
    wheelhouse = Path(wheelhouse)
    try:
        with open(wheelhouse / MANIFEST, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
    except FileNotFoundError:
        raise WheelhouseError(f"no {MANIFEST} in {wheelhouse}: not a wheelhouse made by "
                              "'tools/wheelhouse.py build'") from None
    if tuple(reader.fieldnames or ()) != MANIFEST_FIELDS:
        raise WheelhouseError(f"{wheelhouse / MANIFEST} has the columns {reader.fieldnames}, "
                              f"not {', '.join(MANIFEST_FIELDS)}: copy the wheelhouse again")
    if not (wheelhouse / REQUIREMENTS.name).is_file():
        raise WheelhouseError(f"no {REQUIREMENTS.name} in {wheelhouse}")
    listed = {row["file"] for row in rows}
    damaged = [row["file"] for row in rows if not (wheelhouse / row["file"]).is_file()
               or _sha256(wheelhouse / row["file"]) != row["sha256"]]
    if damaged:
        raise WheelhouseError(f"missing or damaged (SHA-256 differs from {MANIFEST}): "
                              f"{', '.join(damaged)}: copy the wheelhouse again")
    stray = sorted(p.name for p in wheelhouse.glob("*.whl") if p.name not in listed)
    if stray:
        raise WheelhouseError(f"not in {MANIFEST}: {', '.join(stray)}: remove them or copy "
                              "the wheelhouse again")
    here = set(tags.sys_tags())
    unfit = [row["file"] for row in rows if not here & _wheel_tags(row["file"])]
    if unfit:
        raise WheelhouseError(
            f"made for another Python or OS than this one ({describe_target(None, None)}): "
            f"{', '.join(unfit[:3])}{' …' if len(unfit) > 3 else ''}: build the wheelhouse "
            "again for this PC (docs/offline-install.md)")
    return rows


def _wheel_tags(filename: str) -> set:
    try:
        return set(utils.parse_wheel_filename(filename)[3])
    except utils.InvalidWheelFilename:
        raise WheelhouseError(f"{MANIFEST} lists {filename!r}, which is not a wheel's name: "
                              "copy the wheelhouse again") from None


def install(wheelhouse: Path) -> None:
    """:func:`verify`, then :func:`install_command` with the running Python.

    The PC's pip settings are left out (``PIP_CONFIG_FILE`` set to the null device, pip's
    documented way to load no configuration file, and no ``PIP_*`` variables), so nothing
    can come from another source.
    """
    rows = verify(wheelhouse)
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    cmd = install_command(wheelhouse, sys.executable)
    print(f"{len(rows)} wheels checked; $ " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, env=env)
    if done.returncode != 0:
        raise WheelhouseError(f"pip could not install from {wheelhouse} (exit "
                              f"{done.returncode}); see pip's message above")


# ---------------------------------------------------------------- smoke test

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    # no proxy: a PC's proxy settings must not catch a request to this PC itself
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as resp:
        return resp.status, resp.read().decode("utf-8", "replace")


@contextlib.contextmanager
def _server(workdir: Path, timeout_s: float):
    """``streamlit run app.py`` on a free localhost port; yields the base URL."""
    port = _free_port()
    env = dict(os.environ, MIMAMORI_WORKSPACE=str(workdir / "server.duckdb"))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + timeout_s
            while True:
                try:
                    if _get(url + "/_stcore/health") == (200, "ok"):
                        break
                except OSError:  # not listening yet (URLError is an OSError)
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise WheelhouseError("streamlit did not start:\n" +
                                          log_path.read_text(errors="replace")[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def smoke(*, timeout_s: float = 120) -> None:
    """Check that the installed packages run the app (offline), in four steps:
    the pinned versions of ``requirements.txt`` are installed; every module of the app's
    packages imports (compiled parts load); the home page runs without an error
    (Streamlit's ``AppTest``); ``streamlit run app.py`` answers ``ok`` on ``/_stcore/health``
    and serves its page. Plans and the reference database go to a temporary folder, never
    the user's workspace.

    Raises
    ------
    WheelhouseError
        Naming the step and what failed.
    """
    wrong = []
    for req in read_requirements(REQUIREMENTS):
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            have = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{req.name} (not installed)")
            continue
        if not req.specifier.contains(have, prereleases=True):
            wrong.append(f"{req.name} {have} (requirements.txt: {req.specifier})")
    if wrong:
        raise WheelhouseError("packages: " + "; ".join(wrong))
    print(f"ok  packages: requirements.txt installed ({sys.version.split()[0]})", flush=True)

    from streamlit import logger as streamlit_logger
    # the app's modules imported outside a running app log harmless "no runtime" warnings
    streamlit_logger.set_log_level("error")
    sys.path.insert(0, str(ROOT))
    modules = []
    for package in APP_PACKAGES:
        names = [package] + [info.name for info in pkgutil.walk_packages(
            importlib.import_module(package).__path__, package + ".")]
        for name in names:
            if name.endswith("__main__"):  # would run the command line
                continue
            try:
                modules.append(importlib.import_module(name))
            except ImportError as exc:  # a missing package or a DLL that does not load
                raise WheelhouseError(f"import {name}: {exc}") from None
    print(f"ok  imports: {len(modules)} modules of {', '.join(APP_PACKAGES)}", flush=True)

    from streamlit.testing.v1 import AppTest
    with tempfile.TemporaryDirectory(prefix="mimamori-smoke-",
                                     ignore_cleanup_errors=True) as tmp:
        workdir = Path(tmp)
        os.environ["MIMAMORI_WORKSPACE"] = str(workdir / "apptest.duckdb")
        os.environ["MIMAMORI_REFDB_DIR"] = str(workdir / "refdb")
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout_s).run()
        if app.exception or not app.title:
            raise WheelhouseError("home page: " + ("; ".join(e.message for e in app.exception)
                                                   or "nothing shown"))
        print(f"ok  home page: {app.title[0].value}", flush=True)
        with _server(workdir, timeout_s) as url:
            status, page = _get(url + "/")
            if status != 200 or 'id="root"' not in page:
                raise WheelhouseError(f"{url}/ answered {status} without the app's page")
        print("ok  server: streamlit run app.py answered on /_stcore/health", flush=True)


# ---------------------------------------------------------------- command line

def _platform(text: str) -> str:
    try:
        target_environment(text, None)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _python(text: str) -> str:
    try:
        target_environment(None, text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python tools/wheelhouse.py",
                                description="offline installation (docs/offline-install.md)")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="download the wheels for a target PC (needs the network)")
    b.add_argument("--platform", type=_platform,
                   help="target wheel platform: win_amd64 (Windows 10/11 x64), "
                        "manylinux_2_28_x86_64 (Linux, glibc >= 2.28) …; default: this PC")
    b.add_argument("--python", type=_python, help="target Python, e.g. 3.12; default: this one")
    b.add_argument("--out", type=Path, default=Path("wheelhouse"),
                   help="folder to write (empty, new, or a wheelhouse made before)")
    b.add_argument("-r", "--requirements", type=Path, default=REQUIREMENTS,
                   help="requirements file (default: the app's requirements.txt)")
    i = sub.add_parser("install", help="check the wheelhouse and install from it alone")
    i.add_argument("wheelhouse", type=Path, nargs="?", default=Path("wheelhouse"))
    sub.add_parser("smoke", help="check that the installed packages run the app")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            build(args.out, platform=args.platform, python=args.python,
                  requirements_file=args.requirements)
        elif args.command == "install":
            install(args.wheelhouse)
        else:
            smoke()
    except WheelhouseError as exc:
        print(f"wheelhouse {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full or read-only disk, a folder that cannot be made
        print(f"wheelhouse {args.command}: cannot read or write: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
