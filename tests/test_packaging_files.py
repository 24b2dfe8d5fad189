"""The packaging files agree with each other and with the code - without building anything.

The PyInstaller build itself is too heavy for CI; packaging/build.sh builds and smoke-tests
it.  What can go stale silently is checked here: the desktop entry (parsed with a small
parser following the Desktop Entry spec), the AppStream metainfo, the icon set, and the
spec's view of the tree (resources folder, package data, entry points, excluded Qt modules).
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sonic_studio import __version__

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
DESKTOP = RESOURCES / "sonic-studio.desktop"
METAINFO = RESOURCES / "io.github.sonicstudio.SonicStudio.metainfo.xml"
SPEC = ROOT / "packaging" / "sonic-studio.spec"

tomllib = pytest.importorskip("tomllib")  # Python 3.11+


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def parse_desktop_entry(text: str) -> dict[str, dict[str, str]]:
    """Groups of key=value pairs; raises ValueError where the Desktop Entry spec is broken."""
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([^\[\]]+)\]", line)
        if header:
            if header.group(1) in groups:
                raise ValueError(f"line {number}: group [{header.group(1)}] appears twice")
            current = groups[header.group(1)] = {}
            continue
        pair = re.fullmatch(r"([A-Za-z0-9-]+(?:\[[A-Za-z_@.]+\])?)\s*=\s*(.*)", line)
        if current is None or pair is None:
            raise ValueError(f"line {number}: not a key=value line inside a group: {line!r}")
        if pair.group(1) in current:
            raise ValueError(f"line {number}: key {pair.group(1)} appears twice")
        current[pair.group(1)] = pair.group(2)
    if next(iter(groups), None) != "Desktop Entry":
        raise ValueError("the first group must be [Desktop Entry]")
    return groups


def desktop_entry() -> dict[str, str]:
    return parse_desktop_entry(DESKTOP.read_text(encoding="utf-8"))["Desktop Entry"]


def spec_constant(name: str):
    """A literal assigned at the spec's top level (the spec itself needs PyInstaller to run)."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


# ---------------------------------------------------------------------------- desktop entry
def test_parser_rejects_broken_entries():
    with pytest.raises(ValueError):
        parse_desktop_entry("Name=x\n")
    with pytest.raises(ValueError):
        parse_desktop_entry("[Desktop Entry]\nName=a\nName=b\n")
    with pytest.raises(ValueError):
        parse_desktop_entry("[Other]\n[Desktop Entry]\n")


def test_desktop_entry_is_valid():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    for key in ("Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), f"{key} is required"
    assert entry.get("Terminal", "false") in ("true", "false")
    for key in ("Categories", "MimeType", "Keywords"):
        if key in entry:
            assert entry[key].endswith(";"), f"{key} is a list and must end with ';'"
    categories = entry["Categories"].split(";")
    assert "AudioVideo" in categories, "Audio needs its main category AudioVideo"
    codes = re.findall(r"%.", entry["Exec"])
    assert set(codes) <= {"%f", "%F", "%u", "%U", "%i", "%c", "%k"} and len(codes) <= 1


def test_desktop_entry_starts_the_installed_program():
    program = desktop_entry()["Exec"].split()[0]
    assert pyproject()["project"]["gui-scripts"].get(program) == "sonic_studio.app:main"


def test_desktop_file_name_matches_the_app_id():
    # Wayland matches a window to its launcher by this id; X11 uses StartupWMClass.
    app = (ROOT / "sonic_studio" / "app.py").read_text(encoding="utf-8")
    assert f'setDesktopFileName("{DESKTOP.stem}")' in app
    assert desktop_entry().get("StartupWMClass") == DESKTOP.stem


def test_icon_set_exists_for_the_icon_name():
    name = desktop_entry()["Icon"]
    assert (RESOURCES / "icons" / f"{name}.svg").is_file()
    pngs = sorted((RESOURCES / "icons" / "hicolor").glob(f"*/apps/{name}.png"))
    assert {p.parent.parent.name for p in pngs} >= {"16x16", "32x32", "48x48", "64x64", "128x128", "256x256"}
    for png in pngs:
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", png
        width, height = struct.unpack(">II", head[16:24])
        assert f"{width}x{height}" == png.parent.parent.name, f"{png} is {width}x{height}"


# ---------------------------------------------------------------------------- metainfo
def test_metainfo_describes_this_app():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert re.fullmatch(r"[a-z]+(\.[A-Za-z0-9_-]+){2,}", root.findtext("id"))
    assert METAINFO.name == f"{root.findtext('id')}.metainfo.xml"
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("name") == desktop_entry()["Name"]
    assert root.findtext("project_license") == pyproject()["project"]["license"]
    assert root.findtext("metadata_license") in ("CC0-1.0", "FSFAP", "MIT", "CC-BY-3.0", "CC-BY-4.0")
    assert root.findtext("summary")


def test_metainfo_release_is_the_current_version():
    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases and releases[0].get("version") == __version__ == pyproject()["project"]["version"]


def test_metainfo_screenshots_are_web_urls():
    # AppStream consumers (software centres, Flathub) fetch screenshots by URL.
    images = [i.text for i in ET.parse(METAINFO).getroot().iter("image")]
    assert all(re.match(r"https://", image or "") for image in images), images


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstreamcli is not installed")
def test_metainfo_passes_appstreamcli():
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-validate is not installed")
def test_desktop_entry_passes_desktop_file_validate():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------- PyInstaller spec
def test_spec_bundles_resources_where_the_app_looks():
    spec = SPEC.read_text(encoding="utf-8")
    # sonic_studio.resources looks in sys._MEIPASS / "resources" when frozen.
    assert '(str(ROOT / "resources"), "resources")' in spec
    assert 'getattr(sys, "_MEIPASS", None)' in (ROOT / "sonic_studio" / "resources.py").read_text(encoding="utf-8")
    for package, files in pyproject()["tool"]["setuptools"]["package-data"].items():
        for name in files:
            source = " / ".join(f'"{part}"' for part in (*package.split("."), name))
            destination = f'"{package.replace(".", "/")}"'
            assert f"{source}), {destination}" in spec, f"{package}: {name}"


def test_spec_builds_every_entry_point():
    spec = SPEC.read_text(encoding="utf-8")
    project = pyproject()["project"]
    for target in (*project["scripts"].values(), *project["gui-scripts"].values()):
        module, function = target.split(":")
        assert function == "main" and f'"{module}"' in spec, target
    name = spec_constant("NAME")
    assert {name, f"{name}-cli"} == set(project["scripts"]) | set(project["gui-scripts"])


def test_spec_excludes_no_qt_module_the_app_imports():
    used = set()
    for source in (ROOT / "sonic_studio").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        used.update(re.findall(r"PySide6\.(Qt\w+)", text))
        for names in re.findall(r"from PySide6 import ([\w, ]+)", text):
            used.update(n.strip() for n in names.split(",") if n.strip().startswith("Qt"))
    assert used, "no Qt import found - the scan is broken"
    assert not used & set(spec_constant("UNUSED_QT"))


def test_build_script_is_executable():
    build = ROOT / "packaging" / "build.sh"
    assert build.stat().st_mode & 0o111, "chmod +x packaging/build.sh"
    assert "packaging/sonic-studio.spec" in build.read_text(encoding="utf-8")
    assert "packaging/smoke_test.py" in build.read_text(encoding="utf-8")
