"""Black-box smoke test of the PyInstaller bundle: python packaging/smoke_test.py [dist/sonic-studio]

Everything runs the *bundled* programs, as a user would, with HOME/XDG folders in a
temporary directory so nothing touches the real profile:

- layout: both programs, resources, catalog.json, ffmpeg (the audio-only LGPL build), ICU's
  stub data, the QtMultimedia FFmpeg plugin
  and its libav* libraries, keyring's entry points - and none of the excluded Qt parts;
- every bundled shared library resolves its link-time dependencies;
- ``sonic-studio --version`` and ``sonic-studio-cli --help``;
- the bundled emulator (``sonic-studio-cli demo-server``) serves the bundled CLI: ``credits``
  proves httpx, ``generate --wait`` proves ffmpeg twice (the emulator encodes its songs with
  it, the CLI decode-checks every download with it);
- keyring: a minimal Secret Service on a private D-Bus holds a key; the bundled CLI must
  read it (frozen apps classically lose keyring's backends, which live behind entry points);
- the desktop app starts offscreen with ``--demo``, stays up, loads the QtMultimedia FFmpeg
  backend, and on SIGTERM exits 0 within seconds leaving no process behind.

Opening each tab needs a hook inside the app (it has no automation interface); see
packaging/README.md.  Needs Linux, ldd, and dbus-daemon for the keyring check (skipped
without it).  Exit code 0 when nothing failed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUI, CLI = "sonic-studio", "sonic-studio-cli"
API_KEY = "smoke-test-key"

# Qt parts the spec excludes; finding one means the excludes stopped working.
EXCLUDED = re.compile(
    r"PySide6/Qt(Quick|Qml|Pdf|WebEngine|VirtualKeyboard|3D|Charts|DataVisualization|Sql|Test)[A-Za-z0-9]*\.abi3\.so"
    r"|libQt6(Pdf|VirtualKeyboard|WebEngine|3D|Charts|DataVisualization|Sql|Test)[A-Za-z0-9]*\.so"
    r"|plugins/platformthemes/libqgtk3\.so|PySide6/Qt/translations/"
)
# Present on every Wayland desktop and not shipped by PyInstaller when the build machine
# lacks them; without them Qt uses xcb, so they may stay unresolved here.
MAY_BE_MISSING = re.compile(r"libwayland-[a-z]+\.so")


class Report:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        print(f"{'PASS' if ok else 'FAIL'}  {name}{'  -  ' + detail if detail else ''}", flush=True)
        if not ok:
            self.failed.append(name)
        return ok

    def skip(self, name: str, why: str) -> None:
        print(f"SKIP  {name}  -  {why}", flush=True)


# ------------------------------------------------------------------------------ helpers
def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The user's environment minus anything that would steer the app, with a throwaway home."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SONIC_STUDIO_", "XDG_", "QT_", "PYTHON_KEYRING", "DBUS_SESSION"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               SONIC_STUDIO_EMULATOR_CACHE=str(home / "emulator-cache"), QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def tail(text: str, lines: int = 6) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def group_members(pgid: int) -> list[str]:
    """Processes still in a process group, as 'pid name'."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # exited while we looked
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # fields: state, ppid, pgrp, ...
            found.append(f"{stat.parent.name} {name}")
    return found


def stop(proc: subprocess.Popen, timeout: float) -> int | None:
    """SIGTERM, then the exit code - or None (and SIGKILL to the group) if it did not exit in time."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None


def source_version() -> str:
    text = (ROOT / "sonic_studio" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


# ------------------------------------------------------------------------------ checks
def check_layout(report: Report, bundle: Path) -> None:
    internal = bundle / "_internal"
    for program in (GUI, CLI):
        path = bundle / program
        report.check(f"program {program}", path.is_file() and os.access(path, os.X_OK))

    source = {p.relative_to(ROOT / "resources") for p in (ROOT / "resources").rglob("*") if p.is_file()}
    shipped = {p.relative_to(internal / "resources") for p in (internal / "resources").rglob("*") if p.is_file()}
    report.check("resources folder mirrors resources/", source == shipped and bool(source),
                 f"{len(shipped)} files" if source == shipped else f"differs: {sorted(map(str, source ^ shipped))[:5]}")
    report.check("catalog.json", (internal / "sonic_studio" / "core" / "catalog.json").is_file())

    ffmpeg = sorted((internal / "imageio_ffmpeg" / "binaries").glob("ffmpeg-*"))
    report.check("ffmpeg binary", bool(ffmpeg) and os.access(ffmpeg[0], os.X_OK),
                 ffmpeg[0].name if ffmpeg else "no imageio_ffmpeg/binaries/ffmpeg-*")
    if ffmpeg:  # the spec ships build_ffmpeg.sh's audio-only build under imageio's name when build.sh kept it
        audio_only = ROOT / "build" / "ffmpeg-audio" / "ffmpeg"
        if audio_only.is_file():
            expected, label = audio_only, "the audio-only LGPL build"
        else:
            import imageio_ffmpeg
            expected, label = Path(imageio_ffmpeg.get_ffmpeg_exe()), "imageio-ffmpeg's full build"
        version = subprocess.run([str(ffmpeg[0]), "-hide_banner", "-version"], capture_output=True,
                                 text=True, timeout=30).stdout
        report.check(f"ffmpeg is {label}", ffmpeg[0].read_bytes() == expected.read_bytes(),
                     f"{version.splitlines()[0] if version else '?'}, {ffmpeg[0].stat().st_size / 1e6:.0f} MB")

    qt = internal / "PySide6" / "Qt"
    plugin = qt / "plugins" / "multimedia" / "libffmpegmediaplugin.so"
    libav = [name for name in ("libavcodec", "libavformat", "libavutil", "libswresample", "libswscale")
             if not list((qt / "lib").glob(f"{name}.so.*"))]
    report.check("QtMultimedia FFmpeg plugin and libav*", plugin.is_file() and not libav,
                 f"missing {libav}" if libav else "")

    # The spec swaps ICU's 31 MB data tables for ICU's empty stub (packaging/icu_stubdata.c);
    # the --self-test check below proves every page still opens without them.
    icu = sorted((qt / "lib").glob("libicudata.so.*"))
    report.check("ICU data is the stub", len(icu) == 1 and icu[0].stat().st_size < 1_000_000,
                 f"{icu[0].name}, {icu[0].stat().st_size / 1e3:.0f} kB" if icu else "no libicudata")

    entry_points = list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    text = entry_points[0].read_text() if entry_points else ""
    report.check("keyring backend entry points", "keyring.backends.SecretService" in text)

    unwanted = sorted(str(p.relative_to(internal)) for p in internal.rglob("*") if EXCLUDED.search(str(p)))
    report.check("excluded Qt parts absent", not unwanted, ", ".join(unwanted[:5]))


def check_libraries(report: Report, bundle: Path) -> None:
    """ldd every shared library the way the bootloader sets things up (bundle on the search path)."""
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    libraries = [p for p in internal.rglob("*")
                 if p.is_file() and not p.is_symlink() and re.search(r"\.so(\.|$)", p.name)]
    unresolved: dict[str, set[str]] = {}
    tolerated: set[str] = set()
    for lib in libraries:
        out = subprocess.run(["ldd", str(lib)], env=env, capture_output=True, text=True).stdout
        for missing in re.findall(r"^\s*(\S+) => not found", out, re.M):
            if MAY_BE_MISSING.match(missing):
                tolerated.add(missing)
            else:
                unresolved.setdefault(missing, set()).add(str(lib.relative_to(internal)))
    detail = f"{len(libraries)} libraries"
    if tolerated:
        detail += f"; not on this machine (Wayland only): {', '.join(sorted(tolerated))}"
    if unresolved:
        detail = "; ".join(f"{name} (needed by {sorted(users)[0]})" for name, users in sorted(unresolved.items()))
    report.check("shared libraries resolve", not unresolved, detail)


def check_version_and_help(report: Report, bundle: Path, env: dict[str, str]) -> None:
    result = run([str(bundle / GUI), "--version"], env, timeout=30)
    expected = f"Sonic Studio {source_version()}"
    report.check(f"{GUI} --version", result.returncode == 0 and result.stdout.strip() == expected,
                 result.stdout.strip() or tail(result.stderr))
    result = run([str(bundle / CLI), "--help"], env, timeout=30)
    report.check(f"{CLI} --help", result.returncode == 0 and "usage: sonic-studio-cli" in result.stdout,
                 "" if result.returncode == 0 else tail(result.stderr))


def check_cli_against_emulator(report: Report, bundle: Path, home: Path) -> None:
    env = isolated_env(home)
    server_err = home / "emulator-stderr.txt"
    with open(server_err, "w") as err:
        server = subprocess.Popen([str(bundle / CLI), "demo-server", "--port", "0", "--speed", "instant",
                                   "--key", API_KEY], env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:  # also keeps the pipe drained for as long as the server runs
        for line in server.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    url = None
    try:
        while url is None:  # the first line names the port it got
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines.get(timeout=30))
            url = found.group(1) if found else None
    except queue.Empty:
        pass
    if not report.check("bundled emulator starts (demo-server)", url is not None, url or tail(server_err.read_text())):
        stop(server, 5)
        return

    data = home / "cli-data"
    cli = [str(bundle / CLI), "--data-dir", str(data), "--base-url", url, "--json"]
    key_env = dict(env, SONIC_STUDIO_API_KEY=API_KEY)
    try:
        result = run(cli + ["credits"], key_env)
        credits = json.loads(result.stdout).get("credits") if result.returncode == 0 else None
        report.check("CLI credits over httpx", credits == 500,
                     f"credits={credits}" if credits is not None else tail(result.stderr))

        result = run(cli + ["generate", "--description", "a short smoke-test song", "--wait"], key_env, timeout=180)
        clips = json.loads(result.stdout).get("clips", []) if result.returncode == 0 else []
        files = [Path(c["audio_path"]) for c in clips if c.get("audio_path")]
        ok = len(clips) > 0 and len(files) == len(clips) and all(f.is_file() and f.stat().st_size > 0 for f in files)
        lengths = ", ".join(f"{clip['duration']:.0f} s" for clip in clips if clip.get("duration"))
        report.check("CLI generate --wait, download, decode check", ok,
                     f"{len(files)} clips ({lengths})" if ok else tail(result.stderr))
        encoded = list((home / "emulator-cache").rglob("*.mp3"))
        log = (data / "logs" / "sonic-studio.log").read_text(encoding="utf-8", errors="replace")
        report.check("ffmpeg runs inside the bundle", bool(encoded) and "ffmpeg could not run" not in log,
                     f"emulator encoded {len(encoded)} MP3s; downloads decode-checked" if encoded else "no MP3 encoded")
    finally:
        code = stop(server, 10)
        report.check("emulator exits on SIGTERM", code == 0, f"exit code {code}")


class FakeSecretService:
    """Just enough of org.freedesktop.secrets, on a private bus, for keyring to read one secret.

    What is under test is the bundle's side: keyring finding its SecretService backend through
    the entry points PyInstaller copied, and secretstorage, jeepney and cryptography working
    frozen.  Runs in this (unfrozen) process, using the venv's jeepney.
    """

    COLLECTION = "/org/freedesktop/secrets/aliases/default"
    ITEM = COLLECTION + "/1"
    SESSION = "/org/freedesktop/secrets/session/1"

    def __init__(self, address: str, attributes: dict[str, str], secret: str) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self._attributes = attributes
        self._secret = secret.encode()
        self.secrets_served = 0
        self._stop = threading.Event()
        self._conn = open_dbus_connection(address)
        self._conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.secrets"))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._conn.close()

    def _serve(self) -> None:
        from jeepney import MessageType

        while not self._stop.is_set():
            try:
                msg = self._conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            if msg.header.message_type is MessageType.method_call:
                self._conn.send(self._answer(msg))

    def _answer(self, msg):
        from jeepney import HeaderFields, new_error, new_method_return

        member = msg.header.fields[HeaderFields.member]
        if member == "Get":  # org.freedesktop.DBus.Properties: Label / Locked of collection and item
            _interface, prop = msg.body
            value = {"Label": ("s", "Smoke test"), "Locked": ("b", False)}.get(prop)
            if value is not None:
                return new_method_return(msg, "v", (value,))
        elif member == "OpenSession":
            if msg.body[0] == "plain":  # refusing the DH algorithm makes secretstorage fall back to plain
                return new_method_return(msg, "vo", (("s", ""), self.SESSION))
            return new_error(msg, "org.freedesktop.DBus.Error.NotSupported")
        elif member == "SearchItems":
            query = dict(msg.body[0])
            wanted = all(query.get(k) == v for k, v in self._attributes.items())
            return new_method_return(msg, "ao", ([self.ITEM] if wanted else [],))
        elif member == "Unlock":
            return new_method_return(msg, "aoo", (msg.body[0], "/"))  # "/": unlocked, no prompt
        elif member == "GetSecret":
            self.secrets_served += 1
            return new_method_return(msg, "(oayays)", ((self.SESSION, b"", self._secret, "text/plain"),))
        return new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod")


def check_keyring(report: Report, bundle: Path, home: Path) -> None:
    name = "keyring: bundled CLI reads its key from a Secret Service"
    if not shutil.which("dbus-daemon"):
        report.skip(name, "dbus-daemon is not installed")
        return
    try:
        import jeepney  # noqa: F401  (the venv's, to play the Secret Service)
    except ImportError:
        report.skip(name, "run this with the project's venv (needs jeepney)")
        return
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        address = bus.stdout.readline().strip()
        service = FakeSecretService(address, {"service": "sonic-studio", "username": "sonic"}, API_KEY)
        try:
            data = home / "keyring-data"
            # Not loopback, so the app must use the stored key (against the emulator it never
            # reads the keyring); 'tasks' reads the key at start-up and needs no network.
            result = run([str(bundle / CLI), "--data-dir", str(data), "--base-url", "https://api.smoke-test.invalid",
                          "tasks"], isolated_env(home, DBUS_SESSION_BUS_ADDRESS=address))
        finally:
            service.close()
        log_file = data / "logs" / "sonic-studio.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        failure = re.search(r"keyring read failed: \w+", log)
        report.check(name, result.returncode == 0 and service.secrets_served > 0 and not failure,
                     "SecretService backend selected, secret read over D-Bus" if service.secrets_served
                     else (failure.group(0) if failure else tail(result.stderr)))
    finally:
        stop(bus, 5)


def error_lines(*texts: str) -> list[str]:
    """ERROR log records, and the exception line that ends each traceback."""
    return [line for text in texts for line in text.splitlines()
            if " ERROR " in line or re.match(r"[\w.]+(Error|Exception)(: |$)", line)]


def check_gui(report: Report, bundle: Path, home: Path, settle: float) -> None:
    data = home / "gui-data"
    log_file = data / "logs" / "sonic-studio.log"
    stderr_file = home / "gui-stderr.txt"

    def output() -> tuple[str, str]:
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        return log, stderr_file.read_text(errors="replace")

    # Qt logs which FFmpeg the multimedia backend loaded at this category's info level.
    env = isolated_env(home, QT_LOGGING_RULES="qt.multimedia.ffmpeg.info=true")
    with open(stderr_file, "w") as err:
        gui = subprocess.Popen([str(bundle / GUI), "--demo", "--data-dir", str(data)], env=env,
                               stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                               start_new_session=True)  # own process group: leftovers are easy to find
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and gui.poll() is None and not log_file.exists():
            time.sleep(0.2)  # the log file appears once the async start-up is running
        if log_file.exists() and gui.poll() is None:
            time.sleep(settle)  # panels attach, credits come from the emulator, the player loads
        alive = gui.poll() is None
        early_errors = error_lines(*output())
        if alive and not early_errors:
            detail = f"up, no errors after {settle:g} s"
        elif alive:
            detail = "still running, but: " + " | ".join(early_errors[:3])
        else:
            detail = f"exit code {gui.poll()}: {tail(output()[1])}"
        report.check("desktop app starts offscreen with --demo",
                     log_file.exists() and alive and not early_errors, detail)
        started = time.monotonic()
        code = stop(gui, 20) if alive else gui.poll()
    if alive:
        waited = time.monotonic() - started
        report.check("SIGTERM: clean exit", code == 0,
                     f"exit code {code} after {waited:.1f} s" if code is not None else "no exit within 20 s")
    leftovers = group_members(gui.pid)
    for entry in leftovers:
        os.kill(int(entry.split()[0]), signal.SIGKILL)
    report.check("no process left behind", not leftovers, ", ".join(leftovers))

    log, stderr = output()
    # The app hands Qt's messages to its own log (ui/qt_log.py), so the line is looked for there.
    multimedia = re.search(r"Using Qt multimedia with FFmpeg version [^\n]*", log + "\n" + stderr)
    report.check("QtMultimedia FFmpeg backend loads", multimedia is not None,
                 multimedia.group(0) if multimedia else "no 'Using Qt multimedia with FFmpeg' line in the log or on stderr")
    errors = error_lines(log, stderr)
    report.check("no errors in the log or on stderr", not errors, " | ".join(errors[:3]))


def check_self_test(report: Report, bundle: Path, home: Path) -> None:
    """--self-test visits every tab and dialog in the real window and exits 0 only if all opened."""
    env = isolated_env(home)
    result = run([str(bundle / GUI), "--demo", "--self-test", "--data-dir", str(home / "selftest-data")], env, timeout=90)
    visited = [line for line in result.stdout.splitlines() if line.startswith("self-test:")]
    report.check("every tab and dialog opens (--self-test)",
                 result.returncode == 0 and "self-test: done" in result.stdout,
                 f"exit code {result.returncode}; " + "; ".join(visited[-6:]))


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else ROOT / "dist" / "sonic-studio").resolve()
    if not (bundle / GUI).is_file():
        print(f"No bundle at {bundle}; build it with packaging/build.sh", file=sys.stderr)
        return 2
    settle = float(os.environ.get("SMOKE_SETTLE_SECONDS", "5"))
    report = Report()
    with tempfile.TemporaryDirectory(prefix="sonic-smoke-") as tmp:
        home = Path(tmp)
        check_layout(report, bundle)
        check_libraries(report, bundle)
        check_version_and_help(report, bundle, isolated_env(home))
        check_cli_against_emulator(report, bundle, home)
        check_keyring(report, bundle, home)
        check_self_test(report, bundle, home)
        check_gui(report, bundle, home, settle)
    if report.failed:
        print(f"\nSMOKE TEST FAILED: {', '.join(report.failed)}")
        return 1
    print("\nSMOKE TEST PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
