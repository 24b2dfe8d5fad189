"""The README walkthrough, then the app closed and opened again: the demo remembers.

The first run is the README's walkthrough against a demo emulator keeping its state in
``<data-dir>/demo``.  The second run starts the app's own demo server (a new emulator
process, ``bootstrap.DemoServer``) on that folder: the persona made yesterday generates,
yesterday's clip extends, and the credits are what they were.
"""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtCore import Qt
from restart_kit import DemoEmulator, open_app, shut

from sonic_studio.core.models import GenerationParams
from sonic_studio.store.records import TaskState
from sonic_studio.ui.bootstrap import DemoServer, demo_state_dir
from sonic_studio.ui.components.generate_persona import GeneratePersonaDialog


async def test_readme_walkthrough_survives_closing_and_reopening(tmp_path, qapp, qtbot):
    from test_readme_walkthrough import test_readme_walkthrough_upload_sample_make_persona_generate as walkthrough

    qapp.setQuitOnLastWindowClosed(False)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    first = DemoEmulator(demo_state_dir(data_dir))
    ctx, window = await open_app(data_dir, first.base_url, qtbot)
    await walkthrough(window, ctx, first.emulator, qtbot)
    [persona] = ctx.studio.personas.list()
    credits = first.emulator.credits["sonic"]
    uploaded = ctx.studio.library.get(min(r.id for r in await ctx.studio.library.query()))
    window.close()
    await wait_until(lambda: not window.isVisible(), 10)
    await shut(ctx, window)
    first.stop()

    server = DemoServer(demo_state_dir(data_dir))  # what demo mode starts: a new emulator process
    try:
        assert server.message is None
        ctx, window = await open_app(data_dir, server.base_url, qtbot)
        studio = ctx.studio
        await studio.credits.refresh()
        assert studio.credits.last.total == credits  # not back to 500

        # Library → Personas → Generate with this persona, as on the first day.
        window.library_tabs.setCurrentWidget(window.personas)
        await wait_until(lambda: window.personas.model.rowCount() == 1, 5)
        window.personas.view.setCurrentIndex(window.personas.model.index(0))
        await wait_until(lambda: window.personas.generate_button.isEnabled(), 5)
        qtbot.mouseClick(window.personas.generate_button, Qt.MouseButton.LeftButton)
        dialog = window.findChild(GeneratePersonaDialog)
        dialog.form.lyrics.setPlainText("[Verse]\nThe next morning\n[Chorus]\nStill the same voice")
        dialog.form.tags.setText("synthwave")
        dialog.form.title.setText("The Day After")
        await wait_until(lambda: dialog.submit_button.isEnabled(), 5)
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: any("The Day After" in t.title and t.provider_task_id
                                     for t in studio.tasks.list()), 15)
        [with_persona] = [t for t in studio.tasks.list() if "The Day After" in t.title]

        # Yesterday's upload and yesterday's song extend.
        song = next(r for r in await studio.library.query() if r.persona_id == persona.persona_id)
        params = GenerationParams(model="sonic-v5", lyrics="[Verse]\nmore", tags="synthwave", title="Longer")
        extend_song = await studio.tasks.submit_extend(song.id, 30.0, params)
        extend_upload = await studio.tasks.submit_extend(uploaded.id, 30.0, params)

        for task in (with_persona, extend_song, extend_upload):
            done = await studio.tasks.wait(task.id, timeout=60)
            assert done.state is TaskState.SUCCEEDED, (done.title, done.state, done.error)
        made = [studio.library.get(c) for c in studio.tasks.get(with_persona.id).clip_ids]
        assert all(c.persona_id == persona.persona_id and c.audio_path for c in made)
        window.quit(ask=False)
        await wait_until(lambda: not window.isVisible(), 10)
        await shut(ctx, window)
    finally:
        server.stop()
