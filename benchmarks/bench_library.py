"""Library benchmark: the clip list with 10,000 clips and 1,000 personas (issue 6, item 3-4).

Run it from a checkout with the app installed (``pip install -e .``)::

    python benchmarks/bench_library.py                 # 7 runs (median reported)
    python benchmarks/bench_library.py --runs 11 --json-out result.json

It fills a temporary data dir through the store (``Store.clips.upsert`` and
``set_lineage``, ``Store.personas.add`` - the same calls the services make; fsync is
turned off only while filling), with cover images on disk for every clip, then runs
the real ``LibraryPanel`` on a qasync loop (offscreen) against a started ``Studio``:

- **filter as you type**: the word "night" typed one key at a time into the search
  field, each keystroke timed from the text change to the model holding the new rows
  (one SQL query per keystroke, in an executor); plus a keystroke that matches nothing,
  which makes SQLite scan every row.  Median over all keystrokes of all runs.
- **open the library panel**: from constructing ``LibraryPanel(ctx)`` to its first page
  of rows in the model and the panel painted.

Also reported (no target): the raw SQL of the same queries, the count query that
fills "N clips" after the rows, loading the 1,000 personas into the persona filter,
and scrolling to the 2,000th row (paged fetches).

``--drop-index NAME`` measures a proposed schema change without touching the store:
the index is dropped from the benchmark's own database after filling.  With the
schema as shipped, SQLite answers ``deleted_at IS NULL`` through ``clips_deleted`` and
then sorts every live clip in a temporary B-tree, so each listing sorts the library;
``--drop-index clips_deleted`` shows what a migration that makes that index partial
(``WHERE deleted_at IS NOT NULL``) would gain.

Prints a table and then one JSON document with every figure, its target and pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

TARGETS = {  # name: (target, unit) - lower is better
    "filter_keystroke_ms": (30.0, "ms"),
    "open_panel_ms": (100.0, "ms"),
}
WORDS = ("Night", "Drive", "Rain", "Glass", "Neon", "Harbor", "Echo", "Velvet", "Static", "Summer",
         "Ghost", "Orbit", "Paper", "Silver", "Tide", "Ember", "Hollow", "Signal", "Dust", "Lantern")
GENRES = ("synthwave", "lofi", "piano", "indie rock", "dream pop", "trap", "ambient", "house", "folk", "jazz")
TYPED = "night"
NO_MATCH = "zqxj"


def fill(data_dir: Path, clips: int, personas: int, seed: int = 7) -> dict[str, float]:
    """A library of ``clips`` clips (a third of them extensions/covers with lineage, some
    with personas) and ``personas`` personas, written through the store."""
    from PySide6.QtGui import QColor, QImage

    from sonic_studio.core.models import Clip, ClipState, Origin, Persona, ProviderId, TaskKind
    from sonic_studio.store import Store

    rng = random.Random(seed)
    covers = data_dir / "library" / "covers"
    covers.mkdir(parents=True)
    cover_paths = []
    for i in range(200):  # clips share 200 real cover files, like a library with art
        image = QImage(512, 512, QImage.Format.Format_RGB32)
        image.fill(QColor.fromHsv((i * 37) % 360, 160, 200))
        path = covers / f"cover-{i}.jpg"
        image.save(str(path), "JPG", 85)
        cover_paths.append(str(path))

    t0 = time.perf_counter()
    store = Store.open(data_dir)
    store.db.execute("PRAGMA synchronous = OFF")  # filling speed only; the app keeps FULL
    persona_ids = []
    for i in range(personas):
        persona = Persona(id=f"persona-{i:05d}", provider=ProviderId.SONIC,
                          name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} voice {i}",
                          description="warm alto", styles=rng.choice(GENRES))
        store.personas.add(persona, source_clip=None)
        persona_ids.append(persona.id)
    ids: list[int] = []
    for i in range(clips):
        uploaded = i % 10 == 0
        title = f"{rng.choice(WORDS)} {rng.choice(WORDS)}" + ("" if uploaded else f" #{i}")
        clip = Clip(
            id=f"clip-{i:06d}", provider=ProviderId.SONIC if i % 4 else ProviderId.SUNOAPI,
            origin=Origin.UPLOADED if uploaded else Origin.GENERATED, title=title,
            tags=", ".join(rng.sample(GENRES, 2)), duration=rng.uniform(30, 300),
            model="sonic-v5", state=ClipState.SUCCEEDED,
        )
        row, _ = store.clips.upsert(clip)
        store.clips.set_files(row.id, audio_path=str(data_dir / "library" / f"{clip.id}.mp3"),
                              image_path=cover_paths[i % len(cover_paths)])
        if not uploaded and ids and i % 3 == 0:
            kind = TaskKind.EXTEND if i % 2 else TaskKind.COVER
            store.clips.set_lineage(row.id, task=None, task_kind=kind, parent_clip=rng.choice(ids),
                                    params={"continue_at": 83.0} if kind is TaskKind.EXTEND else {"audio_weight": 0.7},
                                    persona_id=rng.choice(persona_ids) if i % 7 == 0 else None)
        ids.append(row.id)
    store.db.execute("PRAGMA synchronous = FULL")
    store.close()
    return {"fill_s": time.perf_counter() - t0}


def drop_indexes(data_dir: Path, names: list[str]) -> None:
    from sonic_studio.store import Store

    store = Store.open(data_dir)
    for name in names:
        if not name.isidentifier():
            raise SystemExit(f"not an index name: {name!r}")
        store.db.execute(f"DROP INDEX {name}")
    store.close()


async def measure(data_dir: Path, runs: int, personas: int) -> dict[str, list[float]]:
    from sonic_studio.services.settings import Settings
    from sonic_studio.services.studio import Studio
    from sonic_studio.store import ClipQuery
    from sonic_studio.ui.bridge import StudioBridge, UiContext
    from sonic_studio.ui.panels.library import LibraryPanel

    settings = Settings.load(data_dir)
    settings.demo = True
    settings.demo_base_url = "http://127.0.0.1:9"  # never contacted: nothing is submitted
    studio = Studio(settings, data_dir=data_dir)
    await studio.start()
    ctx = UiContext(studio=studio, bridge=StudioBridge(studio), player=None)
    out: dict[str, list[float]] = {k: [] for k in (
        "open_panel_ms", "filter_keystroke_ms", "no_match_keystroke_ms", "sql_keystroke_ms",
        "count_ms", "personas_filter_ms", "scroll_to_2000_ms")}

    async def until(predicate, timeout: float = 10.0) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise RuntimeError("timed out")
            await asyncio.sleep(0)

    finished = asyncio.Event()

    async def rows_for(panel: LibraryPanel, text: str) -> float:
        """Seconds from a text change to the model holding that query's rows."""
        finished.clear()
        t0 = time.perf_counter()
        panel.search.setText(text)
        await finished.wait()
        elapsed = time.perf_counter() - t0
        assert panel.model.query.text == text
        return elapsed

    try:
        for run in range(runs + 1):  # run 0 warms caches (SQLite pages, imports, fonts)
            t0 = time.perf_counter()
            panel = LibraryPanel(ctx)
            panel.model.queryFinished.connect(lambda _refresh: finished.set())
            panel.resize(420, 760)
            panel.show()
            await until(lambda: panel.model.loaded and panel.model.rowCount() > 0)
            panel.repaint()  # the first paint, synchronously (processEvents would re-enter the loop)
            opened = time.perf_counter() - t0
            assert panel.model.rowCount() == 200

            keys = []
            for i in range(1, len(TYPED) + 1):
                keys.append(await rows_for(panel, TYPED[:i]))
            no_match = await rows_for(panel, NO_MATCH)
            await rows_for(panel, "")

            q = ClipQuery(text=TYPED)
            t = time.perf_counter()
            await studio.library.query(q)
            sql = time.perf_counter() - t
            t = time.perf_counter()
            studio.library.count(ClipQuery(text="n"))
            counted = time.perf_counter() - t

            t = time.perf_counter()
            panel.filter_button.setChecked(True)  # loads the 1,000 personas into the filter
            loaded_personas = time.perf_counter() - t
            assert panel.persona_combo.count() == personas + 1

            t = time.perf_counter()
            while panel.model.rowCount() < 2000:
                panel.table.scrollToBottom()
                await asyncio.sleep(0)
            scrolled = time.perf_counter() - t

            panel.close()
            panel.deleteLater()
            await asyncio.sleep(0.05)
            if run == 0:
                continue
            out["open_panel_ms"].append(opened * 1000)
            out["filter_keystroke_ms"].extend(k * 1000 for k in keys)
            out["no_match_keystroke_ms"].append(no_match * 1000)
            out["sql_keystroke_ms"].append(sql * 1000)
            out["count_ms"].append(counted * 1000)
            out["personas_filter_ms"].append(loaded_personas * 1000)
            out["scroll_to_2000_ms"].append(scrolled * 1000)
    finally:
        await asyncio.sleep(0.3)  # let the last cover thumbnails land
        ctx.bridge.detach()
        await studio.aclose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median; at least 5)")
    parser.add_argument("--clips", type=int, default=10_000)
    parser.add_argument("--personas", type=int, default=1_000)
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    parser.add_argument("--drop-index", metavar="NAME", action="append", default=[],
                        help="what-if: drop this index from the benchmark's own database after filling "
                             "(e.g. clips_deleted) to measure a proposed schema migration")
    args = parser.parse_args()
    runs = max(5, args.runs)

    import qasync
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    root = Path(tempfile.mkdtemp(prefix="bench-library-"))
    os.environ["XDG_CONFIG_HOME"] = str(root / "config")  # keep the user's settings out
    os.environ["XDG_CACHE_HOME"] = str(root / "cache")
    QCoreApplication.setOrganizationName("sonic-studio-bench")
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # panels open and close on every run
    try:
        data_dir = root / "data"
        data_dir.mkdir()
        filled = fill(data_dir, args.clips, args.personas)
        print(f"filled {args.clips:,} clips and {args.personas:,} personas in {filled['fill_s']:.1f} s")
        if args.drop_index:
            drop_indexes(data_dir, args.drop_index)
            print(f"what-if: dropped index {', '.join(args.drop_index)} from the benchmark database")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            samples = loop.run_until_complete(measure(data_dir, runs, args.personas))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    med = statistics.median
    results = {
        name: {"value": round(med(samples[name]), 2), "target": target, "unit": unit,
               "pass": med(samples[name]) <= target}
        for name, (target, unit) in TARGETS.items()
    }
    details = {name: round(med(values), 2) for name, values in samples.items() if name not in TARGETS}
    details["filter_keystroke_max_ms"] = round(max(samples["filter_keystroke_ms"]), 2)
    if hasattr(os, "getloadavg"):  # other work on the machine shows up in every figure
        details["load_average_1min"] = round(os.getloadavg()[0], 2)

    what_if = f", without index {', '.join(args.drop_index)}" if args.drop_index else ""
    print(f"\nlibrary benchmark - {args.clips:,} clips, {args.personas:,} personas{what_if}, median of {runs} runs "
          f"({platform.node()}, {os.cpu_count()} CPUs)\n")
    print(f"{'figure':<30} {'value':>10} {'target':>10}  result")
    print("-" * 62)
    for name, r in results.items():
        print(f"{name:<30} {r['value']:>10.2f} {'<= ' + str(r['target']):>10}  {'PASS' if r['pass'] else 'FAIL'}")
    print()
    for name, value in details.items():
        print(f"  {name}: {value:.2f}")
    document = {"benchmark": "library", "runs": runs, "clips": args.clips, "personas": args.personas,
                "dropped_indexes": args.drop_index, "results": results, "details": details}
    print("\n" + json.dumps(document, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(document, indent=2) + "\n")
    return 0 if all(r["pass"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
