"""Offline installation (``tools/wheelhouse.py``, docs/offline-install.md).

Fast tests build wheelhouses from a local folder of made-up wheels (pip with ``--no-index``,
no network). The last test is the real thing and takes a few minutes: it builds the Linux
wheelhouse for this Python from the package index, installs it into a fresh venv with the
network cut off (a network namespace holding only the loopback, else a proxy that refuses),
and runs the app's smoke test (``tools/wheelhouse.py smoke``) there, still offline.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "wheelhouse.py"

_spec = importlib.util.spec_from_file_location("wheelhouse", TOOL)
wheelhouse = importlib.util.module_from_spec(_spec)
sys.modules["wheelhouse"] = wheelhouse  # dataclasses look their module up there
_spec.loader.exec_module(wheelhouse)

WIN312 = wheelhouse.target_environment("win_amd64", "3.12")
LINUX312 = wheelhouse.target_environment("manylinux_2_28_x86_64", "3.12")


# ---------------------------------------------------------------- target platform

def test_manylinux_tag_lists_every_older_glibc():
    tags = wheelhouse.pip_platforms("manylinux_2_28_x86_64")
    # glibc 2.28 down to 2.5: 24 tags, plus manylinux2014 (2.17), 2010 (2.12) and 1 (2.5)
    assert len(tags) == 24 + 3
    assert tags[0] == "manylinux_2_28_x86_64" and tags[-1] == "manylinux1_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux2010_x86_64"} <= set(tags)
    arm = wheelhouse.pip_platforms("manylinux_2_28_aarch64")
    # manylinux2010 and manylinux1 exist for x86 only: 24 + manylinux2014
    assert len(arm) == 25 and "manylinux2014_aarch64" in arm
    assert not any(t.startswith(("manylinux1", "manylinux2010")) for t in arm)
    assert wheelhouse.pip_platforms("win_amd64") == ["win_amd64"]


def test_target_environment_is_the_targets_not_this_pcs():
    assert (WIN312["sys_platform"], WIN312["platform_system"], WIN312["os_name"],
            WIN312["platform_machine"], WIN312["python_version"]) == \
        ("win32", "Windows", "nt", "AMD64", "3.12")
    assert (LINUX312["sys_platform"], LINUX312["platform_machine"]) == ("linux", "x86_64")
    # pandas 3 declares tzdata for Windows only
    marker = Requirement('tzdata; sys_platform == "win32"').marker
    assert marker.evaluate(WIN312) and not marker.evaluate(LINUX312)
    with pytest.raises(ValueError, match="unknown platform 'solaris'"):
        wheelhouse.target_environment("solaris", None)
    with pytest.raises(ValueError, match="like 3.12"):
        wheelhouse.target_environment(None, "3")


def _wheel(name, ver, *requires):
    return wheelhouse.Wheel(path=Path(f"{name}-{ver}.whl"), name=name, version=Version(ver),
                            requires=requires)


def test_dependency_walk_follows_the_targets_markers_and_extras():
    pandas = _wheel("pandas", "3.1.1", 'tzdata; sys_platform == "win32"', "numpy>=2",
                    'pytest; extra == "test"')
    numpy = _wheel("numpy", "2.4.6")
    reqs = [Requirement("pandas==3.1.1")]
    missing, needed = wheelhouse.missing_requirements(reqs, [pandas, numpy], WIN312)
    assert [str(r) for r in missing] == ["tzdata"]
    assert needed == {pandas.path, numpy.path}
    missing, _ = wheelhouse.missing_requirements(reqs, [pandas, numpy], LINUX312)
    assert missing == []
    # an extra brings its own requirements; a version outside the specifier does not count
    missing, _ = wheelhouse.missing_requirements(
        [Requirement("pandas[test]==3.1.1")], [pandas, _wheel("numpy", "1.26.4")], LINUX312)
    assert sorted(str(r) for r in missing) == ["numpy>=2", "pytest"]


# ---------------------------------------------------------------- build from a local index

def _make_wheel(folder: Path, name: str, ver: str, tag: str = "py3-none-any",
                requires: tuple[str, ...] = ()) -> Path:
    path = folder / f"{name}-{ver}-{tag}.whl"
    info = f"{name}-{ver}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    wheel = f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}/__init__.py", "")
        z.writestr(f"{info}/METADATA", meta)
        z.writestr(f"{info}/WHEEL", wheel)
        z.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def local_index(tmp_path, monkeypatch):
    """A folder index: ``demo`` (needs ``winonly`` on Windows) and ``nobin`` (source only);
    pip reads nothing else (no configuration file, ``--no-index``)."""
    index = tmp_path / "index"
    index.mkdir()
    _make_wheel(index, "demo", "1.0", requires=('winonly; sys_platform == "win32"',))
    (index / "nobin-1.0.tar.gz").write_bytes(b"source only")
    for key in [k for k in os.environ if k.upper().startswith("PIP_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    return index


def _requirements(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "req.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_build_fails_naming_a_windows_only_package_without_a_wheel(local_index, tmp_path,
                                                                   capsys):
    # pip on Linux skips "winonly" (its marker is false here); the build must not
    code = wheelhouse.main(["build", "--platform", "win_amd64", "--python", "3.12",
                            "--out", str(tmp_path / "wh"), "-r",
                            str(_requirements(tmp_path, "demo==1.0\n"))])
    assert code == 2
    assert "no wheel of winonly for win_amd64, Python 3.12" in capsys.readouterr().err


def test_build_fails_naming_a_source_only_package(local_index, tmp_path, capsys):
    code = wheelhouse.main(["build", "--platform", "win_amd64", "--python", "3.12",
                            "--out", str(tmp_path / "wh"), "-r",
                            str(_requirements(tmp_path, "nobin==1.0\n"))])
    assert code == 2
    assert "no wheel of nobin==1.0 for win_amd64, Python 3.12" in capsys.readouterr().err


def _manifest(folder: Path) -> list[dict]:
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_build_for_windows_adds_its_own_packages_and_lists_them(local_index, tmp_path):
    win = _make_wheel(local_index, "winonly", "1.0", tag="py3-none-win_amd64")
    req = _requirements(tmp_path, "demo==1.0\n")
    out = tmp_path / "wh"
    wheelhouse.build(out, platform="win_amd64", python="3.12", requirements_file=req)
    rows = _manifest(out)
    assert [(r["package"], r["version"], r["file"]) for r in rows] == [
        ("demo", "1.0", "demo-1.0-py3-none-any.whl"),
        ("winonly", "1.0", "winonly-1.0-py3-none-win_amd64.whl")]
    assert rows[1]["sha256"] == hashlib.sha256(win.read_bytes()).hexdigest()
    assert int(rows[1]["size_bytes"]) == win.stat().st_size
    assert (out / "requirements.txt").read_text(encoding="utf-8") == "demo==1.0\n"
    readme = (out / "README.txt").read_text(encoding="utf-8-sig")
    assert "対象: win_amd64, Python 3.12" in readme and "2 ファイル" in readme
    # the same folder again, for Linux: Windows' package left out, the old wheels replaced
    wheelhouse.build(out, platform="manylinux_2_28_x86_64", python="3.12",
                     requirements_file=req)
    assert [r["package"] for r in _manifest(out)] == ["demo"]
    assert sorted(p.name for p in out.glob("*.whl")) == ["demo-1.0-py3-none-any.whl"]


def test_build_refuses_a_folder_that_is_not_a_wheelhouse(local_index, tmp_path):
    out = tmp_path / "wh"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(wheelhouse.WheelhouseError, match="is not empty"):
        wheelhouse.build(out, requirements_file=_requirements(tmp_path, "demo==1.0\n"))
    assert (out / "notes.txt").read_text() == "mine"


def test_install_checks_every_file_first(local_index, tmp_path):
    out = tmp_path / "wh"
    wheelhouse.build(out, requirements_file=_requirements(tmp_path, "demo==1.0\n"))
    assert [r["file"] for r in wheelhouse.verify(out)] == ["demo-1.0-py3-none-any.whl"]
    demo = out / "demo-1.0-py3-none-any.whl"
    good = demo.read_bytes()
    demo.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # one bit flipped on the USB stick
    with pytest.raises(wheelhouse.WheelhouseError, match="damaged.*demo-1.0-py3-none-any"):
        wheelhouse.verify(out)
    demo.write_bytes(good)
    stray = _make_wheel(out, "other", "1.0")
    with pytest.raises(wheelhouse.WheelhouseError, match="not in manifest.csv: other-1.0"):
        wheelhouse.verify(out)
    stray.unlink()
    # a wheelhouse made for Windows does not fit this Linux Python
    _make_wheel(local_index, "winonly", "1.0", tag="py3-none-win_amd64")
    wheelhouse.build(out, platform="win_amd64", python="3.12",
                     requirements_file=_requirements(tmp_path, "demo==1.0\n"))
    with pytest.raises(wheelhouse.WheelhouseError,
                       match="another Python or OS.*winonly-1.0-py3-none-win_amd64"):
        wheelhouse.verify(out)


def test_docs_give_the_tools_commands():
    doc = (ROOT / "docs" / "offline-install.md").read_text(encoding="utf-8")
    one_liner = " ".join(wheelhouse.install_command(Path("wheelhouse")))
    assert one_liner == ("python -m pip install --no-index --find-links wheelhouse "
                         "-r wheelhouse/requirements.txt")
    assert one_liner in doc and one_liner.replace("/", "\\") in doc
    for command in ("tools/wheelhouse.py build --platform win_amd64 --python 3.12",
                    "tools\\wheelhouse.py install wheelhouse", "tools\\wheelhouse.py smoke",
                    "python -m streamlit run app.py"):
        assert command in doc, command
    assert "(docs/offline-install.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the real install, offline

# Brings the namespace's loopback up (a new network namespace has it down), then runs the
# command: the app's server listens on 127.0.0.1; there is no other interface.
LOOPBACK_UP = textwrap.dedent("""
    import fcntl, os, socket, struct, sys
    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))
    os.execv(sys.argv[1], sys.argv[1:])
""")
CLOSED_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there
# run inside the block: no interface but the loopback, and the package index unreachable
PROBE = textwrap.dedent("""
    import socket, urllib.request
    print(sorted(name for _, name in socket.if_nameindex()))
    try:
        urllib.request.urlopen("https://pypi.org/simple/", timeout=10)
        print("reached")
    except OSError as exc:
        print("blocked")
""")


def _unshare() -> list[str] | None:
    """``unshare --net`` (as root) or ``unshare -rn`` (a user namespace), if it works here."""
    if sys.platform != "linux" or not shutil.which("unshare"):
        return None
    cmd = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "-rn"]
    ok = subprocess.run(cmd + ["true"], capture_output=True).returncode == 0
    return cmd if ok else None


def _offline(unshare: list[str] | None):
    """(wrap, env): how to run a command with the network cut off."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    if unshare:
        return (lambda cmd: unshare + [sys.executable, "-c", LOOPBACK_UP, *cmd]), env
    env.update(http_proxy=CLOSED_PROXY, https_proxy=CLOSED_PROXY, HTTP_PROXY=CLOSED_PROXY,
               HTTPS_PROXY=CLOSED_PROXY)
    return (lambda cmd: cmd), env


@pytest.fixture(scope="module")
def linux_wheelhouse(tmp_path_factory):
    """The app's wheelhouse for this Python and PC, built once (pip's cache keeps a rebuild
    quick). Building downloads from the package index: without it the test fails, it does
    not skip (CI and the developers' machines reach the index)."""
    out = tmp_path_factory.mktemp("wheelhouse") / "wheelhouse"
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(TOOL), "build", "--out", str(out)],
                          capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        pytest.fail("building the wheelhouse failed; it downloads every requirement from "
                    "the package index (pip download), which must be reachable:\n"
                    + done.stderr[-4000:])
    print(f"wheelhouse built in {time.monotonic() - started:.0f} s: {done.stdout[-200:]}")
    return out


def test_wheelhouse_holds_every_requirement_as_listed(linux_wheelhouse):
    rows = {wheelhouse.utils.canonicalize_name(r["package"]): r
            for r in _manifest(linux_wheelhouse)}
    for req in wheelhouse.read_requirements(ROOT / "requirements.txt"):
        row = rows[wheelhouse.utils.canonicalize_name(req.name)]
        assert req.specifier.contains(row["version"]), (req, row["version"])
    # and their dependencies, e.g. streamlit's pyarrow and uvicorn, pandas' python-dateutil
    assert {"pyarrow", "python-dateutil", "uvicorn"} <= set(rows)
    for row in rows.values():
        data = (linux_wheelhouse / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"], row["file"]
    assert sorted(p.name for p in linux_wheelhouse.glob("*.whl")) == \
        sorted(r["file"] for r in rows.values())


def test_installs_and_runs_with_the_network_cut_off(linux_wheelhouse, tmp_path):
    unshare = _unshare()
    method = "network namespace" if unshare else "closed proxy"
    if sys.platform == "linux" and shutil.which("unshare") and os.geteuid() == 0:
        # as root (CI) the namespace works: the weaker proxy block is no fallback there
        assert method == "network namespace", "unshare --net failed as root"
    wrap, env = _offline(unshare)

    probe = subprocess.run(wrap([sys.executable, "-c", PROBE]), env=env, capture_output=True,
                           text=True, timeout=60)
    assert probe.stdout.splitlines()[-1] == "blocked", (method, probe.stdout, probe.stderr)
    if unshare:
        assert probe.stdout.splitlines()[0] == "['lo']", probe.stdout

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))

    started = time.monotonic()
    done = subprocess.run(wrap([python, str(TOOL), "install", str(linux_wheelhouse)]),
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (method, done.stdout[-3000:], done.stderr[-3000:])
    assert "Successfully installed" in done.stdout
    installed = time.monotonic()

    done = subprocess.run(wrap([python, str(TOOL), "smoke"]), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (method, done.stdout[-3000:], done.stderr[-3000:])
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok  packages", "ok  imports", "ok  home page", "ok  server"], done.stdout
    print(f"offline by {method}: install {installed - started:.0f} s, "
          f"smoke {time.monotonic() - installed:.0f} s")
