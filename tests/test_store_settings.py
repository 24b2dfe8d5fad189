"""Settings: JSON in the config dir (or --data-dir), resolved URLs, never the key."""

from __future__ import annotations

import json

from sonic_studio.core.models import ProviderId
from sonic_studio.services.settings import Settings, default_config_dir


def test_defaults_and_round_trip(sandbox):
    settings = Settings.load(sandbox)
    assert settings.provider_id is ProviderId.SONIC
    assert settings.base_url("sonic") == "https://api.aimusicapi.ai"
    assert settings.upload_base_url("sunoapi") == "https://sunoapiorg.redpandaai.co"
    assert settings.default_model("sunoapi") == "V5"
    settings.provider = "sunoapi"
    settings.default_models["sunoapi"] = "V4_5"
    settings.poll_interval = 2.5
    settings.save()
    again = Settings.load(sandbox)
    assert again.provider == "sunoapi" and again.default_model("sunoapi") == "V4_5" and again.poll_interval == 2.5
    assert again.library_path(sandbox) == sandbox / "library"


def test_without_data_dir_the_user_config_dir_is_used():
    settings = Settings.load(None)
    assert settings.path == default_config_dir() / "settings.json"


def test_loopback_api_implies_the_same_upload_host_and_demo_overrides(sandbox):
    settings = Settings(path=sandbox / "settings.json")
    settings.base_urls["sunoapi"] = "http://127.0.0.1:9000"
    assert settings.upload_base_url("sunoapi") == "http://127.0.0.1:9000"
    assert settings.is_local("sunoapi") and not settings.is_local("sonic")
    settings.demo, settings.demo_base_url = True, "http://127.0.0.1:8787/"
    assert settings.base_url("sonic") == "http://127.0.0.1:8787" and settings.is_local("sonic")


def test_a_key_in_the_file_is_ignored_and_never_written(sandbox):
    (sandbox / "settings.json").write_text(json.dumps({"provider": "sunoapi", "api_key": "sk-planted",
                                                       "poll_interval": -3, "default_models": "junk"}))
    settings = Settings.load(sandbox)
    assert settings.provider == "sunoapi" and settings.poll_interval is None and settings.default_models == {}
    assert not hasattr(settings, "api_key")
    settings.save()
    assert "sk-planted" not in (sandbox / "settings.json").read_text()


def test_unreadable_file_is_set_aside_and_defaults_used(sandbox):
    (sandbox / "settings.json").write_text("{ not json")
    settings = Settings.load(sandbox)
    assert settings.provider == "sonic"
    assert list(sandbox.glob("settings.json.unreadable-*"))


def test_auto_fetch_defaults_choices_and_hand_edited_nonsense(sandbox):
    from sonic_studio.core.models import AssetKind

    settings = Settings.load(sandbox)
    # The whole song after an extend is on by default on the AI Music API only; the rest is off.
    assert settings.auto_fetch_on("sonic", AssetKind.WHOLE_SONG)
    assert not settings.auto_fetch_on("sunoapi", AssetKind.WHOLE_SONG)
    assert not any(settings.auto_fetch_on(p, k) for p in ProviderId for k in (AssetKind.WAV, AssetKind.LYRICS_TIMELINE))
    settings.set_auto_fetch("sonic", AssetKind.WHOLE_SONG, False)
    settings.set_auto_fetch("sunoapi", AssetKind.WAV, True)
    settings.save()
    again = Settings.load(sandbox)
    assert not again.auto_fetch_on("sonic", AssetKind.WHOLE_SONG) and again.auto_fetch_on("sunoapi", AssetKind.WAV)
    raw = json.loads(again.path.read_text())
    raw["auto_fetch"] = {"sonic": {"wav": "yes", "stems_full": True, "lyrics_timeline": True}, "elsewhere": {"wav": True},
                         "sunoapi": ["wav"]}
    again.path.write_text(json.dumps(raw))
    edited = Settings.load(sandbox)
    assert edited.auto_fetch == {"sonic": {"lyrics_timeline": True}}  # only known kinds with true/false survive
