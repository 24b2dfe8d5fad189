"""Preflight speaks once: the window and the CLI refuse an ineligible persona source alike.

The Persona tab's banner and ``sonic-studio-cli persona create`` both ask
``PersonaService.preflight``; a person who tries the same clip in either gets the same
sentence, and nothing reaches the provider.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import FAKE_KEY, wait_until

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator import synth
from sonic_studio.store import TaskState

SUNO_PERSONA = "/api/v1/generate/generate-persona"


def cli_persona_create(ctx, emulator, clip_id: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "sonic_studio.cli", "--provider", "sunoapi", "--base-url", emulator.base_url,
            "--data-dir", str(ctx.studio.data_dir), "persona", "create", clip_id,
            "--name", "Neon", "--description", "airy synth-pop voice"]
    env = {**os.environ, "SONIC_STUDIO_API_KEY": FAKE_KEY, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)


async def window_says(window, ctx, clip: int) -> str:
    tab = window.persona_tab
    window.tabs.setCurrentWidget(tab)
    ctx.select_clip(clip)
    await wait_until(lambda: tab.clip is not None and tab.clip.id == clip and tab.banner.isVisible(), 10)
    assert not tab.submit_button.isEnabled()
    return tab.banner_text.text()


async def test_an_upload_is_refused_with_the_same_words_by_the_window_and_the_cli(
        suno_window, suno_ctx, ui_emulator, tmp_path):
    song = tmp_path / "my-demo.mp3"
    song.write_bytes(synth.song_mp3(7, 40.0))
    upload = await suno_ctx.studio.tasks.upload(song)

    shown = await window_says(suno_window, suno_ctx, upload.id)
    result = cli_persona_create(suno_ctx, ui_emulator, upload.clip_id)

    assert shown.startswith("sunoapi.org makes personas only from songs it generated, not from uploads.")
    assert result.returncode == 2, result.stderr  # bad input
    assert result.stderr.strip() == f"error: {shown}"
    assert suno_ctx.studio.personas.preflight(upload.id).problems[0].code == "persona_from_upload"
    assert ui_emulator.submissions(SUNO_PERSONA) == []


async def test_a_song_older_than_v4_is_refused_with_the_same_words(suno_window, suno_ctx, ui_emulator):
    params = GenerationParams(model="V4", lyrics="[Verse]\nold times", tags="pop", title="Legacy")
    task = await suno_ctx.studio.tasks.submit_generate(params)
    ui_emulator.state["sunoapi"].tasks[task.provider_task_id].model = "V3_5"  # an older account's song
    done = await suno_ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    clip = suno_ctx.studio.library.get(done.clip_ids[0])

    shown = await window_says(suno_window, suno_ctx, clip.id)
    result = cli_persona_create(suno_ctx, ui_emulator, clip.clip_id)

    assert "V4 or newer" in shown
    assert result.returncode == 2 and result.stderr.strip() == f"error: {shown}"
    preflight = suno_ctx.studio.personas.preflight(clip.id)
    assert [p.code for p in preflight.problems] == ["persona_old_model"]
    assert preflight.window == (0.0, 30.0) and preflight.cost == 0  # catalog defaults for sunoapi.org
    assert ui_emulator.submissions(SUNO_PERSONA) == []


async def test_a_too_long_title_gets_the_same_sentence_in_the_window_and_the_cli(window, ctx, ui_emulator, qtbot):
    """Parameters are judged once, by the services: the Extend tab shows the sentence under
    the title field (and keeps the button off); the CLI refuses the same request with it."""
    from test_extend_cover_tab import extend_tab, fill_form, select_source, uploaded_clip

    tab = extend_tab(window)
    clip = await uploaded_clip(ctx, ui_emulator)
    await select_source(ctx, tab, clip)
    title = "Night Drive " * 7 + "Night Drive II"
    fill_form(qtbot, tab, title=title)
    shown = tab.form.error_text("title")
    assert shown == f"The title is {len(title)} characters long; Sonic v5.5 allows 80."
    assert not tab.submit_button.isEnabled() and tab.reason.text() == shown

    argv = [sys.executable, "-m", "sonic_studio.cli", "--provider", "sonic", "--base-url", ui_emulator.base_url,
            "--data-dir", str(ctx.studio.data_dir), "extend", ctx.studio.library.get(clip).clip_id, "--at", "30",
            "--prompt", "[Verse]\nlights", "--tags", "synthwave", "--title", title,
            "--model", tab.form.params().model]
    env = {**os.environ, "SONIC_STUDIO_API_KEY": FAKE_KEY, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: {shown}"
    assert ui_emulator.submissions("/api/v1/sonic/create") == []
