"""The API key never lands anywhere but the Authorization header of the provider's own hosts.

After a full CLI session against the emulator on a real loopback socket, for each provider
(upload -> extend --wait -> persona create -> generate --wait with the persona -> clips ->
tasks -> tasks resume -> persona list -> credits, plus a rejected-key run with -v), these
tests read every byte the app wrote - the data dir (SQLite database, WAL and journal
files, settings, logs, downloaded audio), the whole HOME/XDG sandbox, exported files -
and everything the CLI printed, looking for the key in plain, UTF-16 and base64 form.

They also check where the key went on the wire (the emulator records every request):
API paths on the API host, and on sunoapi.org the upload host as the contract requires;
never the CDN or the sample files.  Plain http is refused for anything but this machine,
TLS verification is never switched off, and a crash report (a logged traceback, chained
exceptions included) cannot carry the key.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import ssl
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY

from sonic_studio import cli
from sonic_studio.core.errors import ValidationError
from sonic_studio.core.validation import check_api_base_url
from sonic_studio.emulator import synth
from sonic_studio.providers.sonic import SonicProvider
from sonic_studio.providers.sunoapi import SunoApiProvider

ROOT = Path(__file__).resolve().parents[1]
SANDBOX = Path(os.environ["HOME"]).parent  # conftest's private HOME/XDG tree for this run


def key_forms(key: str) -> list[bytes]:
    raw = key.encode()
    return [raw, key.encode("utf-16-le"), base64.b64encode(raw), base64.b64encode(f"Bearer {key}".encode()),
            base64.b64encode(raw).rstrip(b"=")]


def files_holding(root: Path, key: str = FAKE_KEY) -> list[str]:
    forms = key_forms(key)
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(form in data for form in forms):
                found.append(str(path))
    return found


@pytest.fixture(autouse=True)
def restore_logging():
    """The CLI attaches a file handler (and a stderr one with -v) to the root logger; undo that."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


class Session:
    """Runs CLI commands in-process (real argument parsing, real asyncio.run, real stdout/stderr)."""

    def __init__(self, capfd, data: Path, global_args: list[str]) -> None:
        self.capfd, self.data, self.global_args = capfd, data, global_args
        self.out: list[str] = []

    def __call__(self, *args: str, expect: int = 0, json_out: bool = True):
        argv = ["--data-dir", str(self.data), *self.global_args, *(["--json"] if json_out else []), *args]
        code = cli.main(argv)
        captured = self.capfd.readouterr()
        self.out += [captured.out, captured.err]
        assert code == expect, f"{args}: exit {code}\n{captured.err[-2000:]}"
        if json_out and captured.out.strip():
            return json.loads(captured.out)
        return captured.out


def check_wire(emulator, api_host: str, upload_host: str | None) -> None:
    with emulator.lock:
        requests = list(emulator.requests)
    assert any(r.path.startswith("/cdn/") for r in requests), "no download happened: the check would be vacuous"
    carried = [r for r in requests if r.authorization]
    assert carried, "the key was never sent: the check would be vacuous"
    for r in requests:
        if r.path.startswith(("/cdn/", "/samples/")):
            assert r.authorization is None, f"the key went to the file host: {r.method} {r.path}"
    for r in carried:
        assert r.path.startswith("/api/"), f"key sent to a non-API path {r.path}"
        if r.path == "/api/file-stream-upload":
            assert upload_host is not None and r.host == upload_host, (r.host, r.path)
        else:
            assert r.host == api_host, f"key sent to {r.host} for {r.path}"
        assert r.authorization in (f"Bearer {FAKE_KEY}", f"Bearer {FAKE_KEY}-wrong")


@pytest.fixture
def session_env(monkeypatch, tmp_path, emulator, emulator_server):
    monkeypatch.setenv("SONIC_STUDIO_API_KEY", FAKE_KEY)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    emulator.valid_keys = {FAKE_KEY}
    return tmp_path


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_full_sonic_cli_session_leaves_no_key_anywhere(session_env, capfd, emulator, emulator_server, monkeypatch):
    tmp = session_env
    data = tmp / "data"
    url = emulator_server.base_url
    run = Session(capfd, data, ["--provider", "sonic", "--base-url", url, "--poll-interval", "0.1"])

    assert run("credits")["credits"] > 0
    upload = run("upload", f"{url}/samples/night-drive.mp3")
    extended = run("extend", upload["clip_id"], "--at", "30", "--prompt", "[Verse]\nnew words", "--tags", "synth-pop",
                   "--title", "Night Drive II", "--wait")
    assert extended["task"]["state"] == "succeeded", extended
    clip = extended["clips"][0]
    # Made through a vocal extraction of the default range (2 credits), as the provider documents.
    persona = run("persona", "create", clip["clip_id"], "--name", "Nova", "--description", "warm alto",
                  "--styles", "synth-pop")
    song = run("generate", "--persona", persona["persona_id"], "--prompt", "[Verse]\nla", "--tags", "pop",
               "--title", "With Nova", "--wait")
    assert song["task"]["state"] == "succeeded", song
    assert run("clips") and run("tasks") and run("persona", "list")
    run("tasks", "resume")
    run("clips", "--search", "Nova", json_out=False)
    run("-v", "tasks", json_out=False)

    # An export of a saved clip, as the library's "Export as…" writes it.
    from sonic_studio.audio.edit import export

    exports = tmp / "exports"
    export(song["clips"][0]["audio_path"], exports / "with-nova.mp3")
    export(song["clips"][0]["audio_path"], exports / "with-nova.wav")

    # A rejected key, with verbose logging on stderr.
    monkeypatch.setenv("SONIC_STUDIO_API_KEY", FAKE_KEY + "-wrong")
    cli.main(["--data-dir", str(data), "--provider", "sonic", "--base-url", url, "-v", "credits"])
    captured = capfd.readouterr()
    run.out += [captured.out, captured.err]
    assert "rejected" in captured.err.lower() or "key" in captured.err.lower()

    check_wire(emulator, api_host=url.split("//")[1], upload_host=None)
    for text in run.out:
        assert FAKE_KEY not in text, "the key was printed by the CLI"
    assert (data / "library.sqlite3").exists() and list((data / "logs").glob("*.log"))
    assert files_holding(data) == []
    assert files_holding(SANDBOX) == []
    assert files_holding(tmp) == []


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_full_sunoapi_cli_session_leaves_no_key_anywhere(session_env, capfd, emulator, emulator_server):
    tmp = session_env
    data = tmp / "data"
    url = emulator_server.base_url
    upload_url = url.replace("127.0.0.1", "localhost")  # another host name, so the wire check can tell them apart
    run = Session(capfd, data, ["--provider", "sunoapi", "--base-url", url, "--upload-base-url", upload_url,
                                "--poll-interval", "0.1"])
    song_file = tmp / "my song.mp3"
    song_file.write_bytes(synth.song_mp3(seed=11, seconds=96.0, vocal=True))

    assert run("credits")["credits"] > 0
    upload = run("upload", str(song_file))
    extended = run("extend", upload["clip_id"], "--at", "30", "--prompt", "[Verse]\nnew words", "--tags", "synth-pop",
                   "--title", "My Song II", "--wait")
    assert extended["task"]["state"] == "succeeded", extended
    # Personas come from generate / extend / mashup songs at sunoapi.org, not upload-extend ones.
    made = run("generate", "--prompt", "[Verse]\nfirst", "--tags", "synth-pop", "--title", "First", "--wait")
    clip = made["clips"][0]
    persona = run("persona", "create", clip["clip_id"], "--name", "Nova", "--description", "warm alto",
                  "--styles", "synth-pop", "--vocal-start", "40", "--vocal-end", "60")
    song = run("generate", "--persona", persona["persona_id"], "--prompt", "[Verse]\nla", "--tags", "pop",
               "--title", "With Nova", "--wait")
    assert song["task"]["state"] == "succeeded", song
    assert run("clips") and run("tasks") and run("persona", "list")
    run("tasks", "resume")
    run("-v", "clips", json_out=False)

    uploads = [r for r in emulator.requests if r.path == "/api/file-stream-upload"]
    assert uploads and all(r.authorization == f"Bearer {FAKE_KEY}" for r in uploads), "contract: upload host needs it"
    check_wire(emulator, api_host=url.split("//")[1], upload_host=upload_url.split("//")[1])
    for text in run.out:
        assert FAKE_KEY not in text, "the key was printed by the CLI"
    assert files_holding(data) == []
    assert files_holding(SANDBOX) == []
    assert files_holding(tmp) == []


# ---------------------------------------------------------------------------- transport rules

@pytest.mark.parametrize("url", [
    "http://api.aimusicapi.ai",
    "http://api.sunoapi.org/",
    "http://192.168.1.10:8787",
    "http://10.0.0.1",
    "http://localhost.evil.example",
    "http://127.0.0.1@evil.example",
    "http://evil.example#@127.0.0.1",
    "ftp://127.0.0.1",
    "file:///etc/passwd",
    "127.0.0.1:8787",
    # Names that merely start like a loopback address are not this machine:
    "http://127.0.0.1.nip.io",
    "http://127.attacker.example",
])
def test_plain_http_is_refused_except_for_this_machine(url):
    assert check_api_base_url(url), f"{url} was accepted as an API address"
    with pytest.raises(ValidationError):
        SonicProvider(httpx.AsyncClient(), FAKE_KEY, base_url=url)
    with pytest.raises(ValidationError):
        SunoApiProvider(httpx.AsyncClient(), FAKE_KEY, base_url="https://api.sunoapi.org", upload_base_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787",
                                 "https://api.aimusicapi.ai", "https://example.com/proxy"])
def test_https_anywhere_and_http_on_loopback_are_accepted(url):
    assert check_api_base_url(url) == []
    SonicProvider(httpx.AsyncClient(), FAKE_KEY, base_url=url)


def test_cli_refuses_plain_http_to_another_host_before_sending(capfd, tmp_path, monkeypatch):
    monkeypatch.setenv("SONIC_STUDIO_API_KEY", FAKE_KEY)
    code = cli.main(["--data-dir", str(tmp_path), "--base-url", "http://api.aimusicapi.ai", "credits"])
    captured = capfd.readouterr()
    assert code == 2 and "https" in captured.err and FAKE_KEY not in captured.err + captured.out


def test_tls_verification_is_never_switched_off():
    offenders = []
    for path in (ROOT / "sonic_studio").rglob("*.py"):
        text = path.read_text("utf-8")
        for pattern in (r"verify\s*=\s*False", r"CERT_NONE", r"check_hostname\s*=\s*False", r"_create_unverified"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


async def test_the_studio_client_verifies_certificates(sandbox):
    from sonic_studio.services import Settings, Studio

    studio = Studio(Settings(path=sandbox / "settings.json"), data_dir=sandbox)
    try:
        pool = getattr(getattr(studio._client, "_transport", None), "_pool", None)
        context = getattr(pool, "_ssl_context", None)
        if context is None:
            pytest.skip("httpx internals changed; the source scan above still holds")
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    finally:
        await studio.aclose()


# ---------------------------------------------------------------------------- crash reports

def test_a_logged_crash_with_the_key_in_a_chained_exception_does_not_reach_the_log(tmp_path):
    """The GUI's excepthook logs unhandled errors with their traceback; chained causes included."""
    from sonic_studio.logs import setup_logging
    from sonic_studio.services.redact import register_secret

    register_secret(FAKE_KEY)
    log_file = setup_logging(tmp_path)
    log = logging.getLogger("sonic_studio.test.crash")
    try:
        try:
            try:
                raise ValueError(f"header was Authorization: Bearer {FAKE_KEY}")
            except ValueError as inner:
                raise RuntimeError("request failed") from inner
        except RuntimeError:
            log.error("unhandled error", exc_info=True)
        try:
            raise KeyError(f"Bearer {FAKE_KEY}")
        except KeyError:
            log.exception("direct")
        log.warning("a message quoting %s", FAKE_KEY)
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
    text = log_file.read_text("utf-8")
    assert "unhandled error" in text and "direct" in text
    assert FAKE_KEY not in text
