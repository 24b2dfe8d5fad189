"""User settings: provider, server addresses, default models, library folder, poll interval, auto-fetch.

Stored as JSON in the user config dir (platformdirs), or in ``--data-dir`` when one is
given so a scripted or test run is self-contained.  The API key is never a setting: it
lives in the keyring (``services.keys``); a key found in the file is ignored, not read.
Settings are cheap to lose, so an unreadable file is set aside and defaults are used.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

from ..core.capabilities import capabilities
from ..core.models import AssetKind, ProviderId
from ..core.validation import is_loopback

log = logging.getLogger(__name__)

# What the window can fetch by itself after a result arrives (Settings › After a result arrives).
AUTO_FETCH_KINDS = (AssetKind.WHOLE_SONG, AssetKind.WAV, AssetKind.LYRICS_TIMELINE)
# On by default: the whole song after an extend on the AI Music API - its extend returns only
# the new part, and the whole song is what people mean by "extend" (2 credits).  Off on
# sunoapi.org: there it is a free join of files already on this computer, so nothing is lost
# by doing it later, and its extension usually is the whole song already.  WAV and timed
# lyrics cost credits on every result, so they wait until someone turns them on.
AUTO_FETCH_DEFAULTS = {ProviderId.SONIC: {AssetKind.WHOLE_SONG}}

APP_NAME = "sonic-studio"
SETTINGS_FILENAME = "settings.json"
POLL_INTERVAL_ENV = "SONIC_STUDIO_POLL_INTERVAL"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


@dataclass
class Settings:
    provider: str = ProviderId.SONIC.value
    base_urls: dict[str, str] = field(default_factory=dict)  # advanced: override per provider
    upload_base_urls: dict[str, str] = field(default_factory=dict)
    default_models: dict[str, str] = field(default_factory=dict)
    library_dir: str | None = None  # None: <data dir>/library
    poll_interval: float | None = None  # None: the provider's cadence (fast on loopback)
    demo: bool = False
    demo_base_url: str | None = None  # the local emulator, e.g. http://127.0.0.1:8787
    # After a result arrives, also fetch these (per provider; see ``auto_fetch_on`` for the defaults).
    auto_fetch: dict[str, dict[str, bool]] = field(default_factory=dict)
    path: Path | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Settings:
        path = (Path(data_dir) if data_dir else default_config_dir()) / SETTINGS_FILENAME
        settings = cls(path=path)
        if not path.exists():
            return settings
        try:
            raw = json.loads(path.read_text("utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as exc:
            aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            log.warning("settings file %s unreadable (%s); using defaults, kept it as %s", path, exc, aside)
            try:
                path.replace(aside)
            except OSError:
                pass
            return settings
        known = {f.name for f in fields(cls)} - {"path"}
        for name in known & raw.keys():
            setattr(settings, name, raw[name])
        settings._sanitise()
        return settings

    def _sanitise(self) -> None:
        if self.provider not in {p.value for p in ProviderId}:
            self.provider = ProviderId.SONIC.value
        for name in ("base_urls", "upload_base_urls", "default_models"):
            value = getattr(self, name)
            setattr(self, name, {k: v for k, v in value.items() if isinstance(v, str) and v}
                    if isinstance(value, dict) else {})
        if (not isinstance(self.poll_interval, (int, float)) or not math.isfinite(self.poll_interval)
                or self.poll_interval <= 0):
            self.poll_interval = None
        self.demo = bool(self.demo)
        kinds = {k.value for k in AUTO_FETCH_KINDS}
        self.auto_fetch = {
            provider: {k: v for k, v in chosen.items() if k in kinds and isinstance(v, bool)}
            for provider, chosen in (self.auto_fetch.items() if isinstance(self.auto_fetch, dict) else [])
            if provider in {p.value for p in ProviderId} and isinstance(chosen, dict)
        }

    def save(self) -> None:
        """Atomic write (temp file + rename) so a crash never leaves half a file."""
        if self.path is None:
            self.path = default_config_dir() / SETTINGS_FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # ------------------------------------------------------------------ resolved values
    @property
    def provider_id(self) -> ProviderId:
        return ProviderId(self.provider)

    def base_url(self, provider: ProviderId | str) -> str:
        pid = ProviderId(provider)
        if self.demo and self.demo_base_url:
            return self.demo_base_url.rstrip("/")
        return (self.base_urls.get(pid.value) or capabilities(pid).base_url).rstrip("/")

    def upload_base_url(self, provider: ProviderId | str) -> str | None:
        pid = ProviderId(provider)
        if self.demo and self.demo_base_url:
            return self.demo_base_url.rstrip("/")
        explicit = self.upload_base_urls.get(pid.value)
        if explicit:
            return explicit.rstrip("/")
        base = self.base_url(pid)
        # The emulator serves the upload host's routes too, so a local API means a local upload host.
        if is_loopback(base) and capabilities(pid).upload_base_url:
            return base
        return capabilities(pid).upload_base_url

    def default_model(self, provider: ProviderId | str) -> str:
        pid = ProviderId(provider)
        chosen = self.default_models.get(pid.value)
        caps = capabilities(pid)
        return chosen if chosen in caps.model_names() else caps.default_model

    def auto_fetch_on(self, provider: ProviderId | str, kind: AssetKind) -> bool:
        """Whether the window fetches ``kind`` by itself once a result arrives at ``provider``."""
        pid = ProviderId(provider)
        chosen = self.auto_fetch.get(pid.value, {}).get(AssetKind(kind).value)
        if chosen is None:
            return AssetKind(kind) in AUTO_FETCH_DEFAULTS.get(pid, set())
        return chosen

    def set_auto_fetch(self, provider: ProviderId | str, kind: AssetKind, on: bool) -> None:
        self.auto_fetch.setdefault(ProviderId(provider).value, {})[AssetKind(kind).value] = bool(on)

    def library_path(self, data_dir: Path) -> Path:
        return Path(self.library_dir).expanduser() if self.library_dir else Path(data_dir) / "library"

    def is_local(self, provider: ProviderId | str) -> bool:
        """True when the provider's API is on this machine (emulator): fast polling, demo key."""
        return is_loopback(self.base_url(provider))


def poll_interval_from_env() -> float | None:
    raw = os.environ.get(POLL_INTERVAL_ENV)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        log.warning("%s=%r is not a number; ignored", POLL_INTERVAL_ENV, raw)
        return None
    if not math.isfinite(value) or value <= 0:
        log.warning("%s=%r is not a usable interval; ignored", POLL_INTERVAL_ENV, raw)
        return None
    return value
