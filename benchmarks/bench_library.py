"""Library benchmark: filter-as-you-type and the clip list at 1,000 / 10,000 / 100,000 clips.

Run it from a checkout with the app installed (``pip install -e .``)::

    python benchmarks/bench_library.py                        # 1k, 10k and 100k clips, 7 runs each
    python benchmarks/bench_library.py --clips 10000 --runs 11 --json-out result.json

For each size it fills a temporary data dir through the store (``Store.clips.upsert``,
``set_files`` and ``set_lineage``, ``Store.personas.add`` - the same calls the services
make; fsync is turned off only while filling).  Generated clips carry lyrics of a
realistic length (about 1 kB), because row width is what a scan pays for.  Then the real
``LibraryPanel`` runs on a qasync loop (offscreen) against a started ``Studio``:

- **filter per keystroke** (target): the word "night" typed one key at a time into the
  search field, each keystroke timed from the text change until the model holds the new
  rows **and** the panel knows the "N clips" count (the count query runs after the
  rows; a keystroke is not answered before it).  Median over all keystrokes of all runs.
- **a keystroke that matches nothing**, timed the same way.
- **next keystroke while the count runs**: a key typed the moment the previous key's rows
  arrive, while that key's count is still in flight - timed to its own rows.  This is
  what a count holding the database shows up as.
- **open the library panel**: from constructing ``LibraryPanel(ctx)`` to its first page
  of rows in the model and the panel painted.

Baselines, measured on the same database in the same run:

- **plain LIKE scan**: the SQL the library ran before it had a search index (the page
  query and the count with ``LIKE '%text%'`` over title, tags and clip id), for the same
  keystrokes, straight on a connection of its own.  The ratio keystroke ÷ this baseline
  says what the index and the UI together cost against a bare scan.
- **the smallest size**: every figure is also reported as a ratio to the same figure at
  the smallest size measured in the run, which is how it scales.

Also reported (no target): the store's own query and count for the same text, loading
the 1,000 personas into the persona filter, and scrolling to the 2,000th row (paged
fetches; fewer rows for a smaller library).

Prints a table per size, then one JSON document with every figure, its target and
pass/fail.  Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

TARGETS = {  # name: (target, unit) - lower is better; they apply at every size
    "filter_keystroke_ms": (30.0, "ms"),
    "open_panel_ms": (100.0, "ms"),
}
WORDS = ("Night", "Drive", "Rain", "Glass", "Neon", "Harbor", "Echo", "Velvet", "Static", "Summer",
         "Ghost", "Orbit", "Paper", "Silver", "Tide", "Ember", "Hollow", "Signal", "Dust", "Lantern")
GENRES = ("synthwave", "lofi", "piano", "indie rock", "dream pop", "trap", "ambient", "house", "folk", "jazz")
TYPED = "night"
NO_MATCH = "zqxj"
PAGE = 200  # the model's page size (ui.panels.clip_model.PAGE)
SCROLL_TO = 2000

# The library's search before it had an index: a LIKE scan of every live clip, for the
# page and again for the count.  Kept here, verbatim, as the baseline.
_LEGACY_WHERE = ("c.deleted_at IS NULL AND (c.title LIKE ? ESCAPE '\\' OR c.tags LIKE ? ESCAPE '\\' "
                 "OR c.clip_id LIKE ? ESCAPE '\\')")
_LEGACY_PAGE = (f"SELECT c.id, c.title, c.tags, c.duration, c.audio_path, l.task_kind FROM clips c "
                f"LEFT JOIN lineage l ON l.clip = c.id WHERE {_LEGACY_WHERE} "
                f"ORDER BY c.created_at DESC, c.id DESC LIMIT {PAGE}")
_LEGACY_COUNT = f"SELECT count(*) FROM clips c LEFT JOIN lineage l ON l.clip = c.id WHERE {_LEGACY_WHERE}"


def _lyrics(rng: random.Random) -> str:
    lines = [" ".join(rng.choice(WORDS).lower() for _ in range(rng.randint(4, 8))) for _ in range(28)]
    return "[Verse]\n" + "\n".join(lines[:14]) + "\n[Chorus]\n" + "\n".join(lines[14:])


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
    store.db.execute("PRAGMA synchronous = OFF")  # filling speed only; the app keeps its own setting
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
            tags=", ".join(rng.sample(GENRES, 2)), lyrics="" if uploaded else _lyrics(rng),
            duration=rng.uniform(30, 300), model="sonic-v5", state=ClipState.SUCCEEDED,
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
    store.close()
    return {"fill_s": time.perf_counter() - t0}


def legacy_scan_ms(db_path: Path, texts: list[str]) -> list[float]:
    """The baseline: page + count of the pre-index LIKE search, per text, in ms."""
    conn = sqlite3.connect(str(db_path))
    try:
        out = []
        for text in texts:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            t = time.perf_counter()
            conn.execute(_LEGACY_PAGE, (pattern,) * 3).fetchall()
            conn.execute(_LEGACY_COUNT, (pattern,) * 3).fetchone()
            out.append((time.perf_counter() - t) * 1000)
        return out
    finally:
        conn.close()


async def measure(data_dir: Path, runs: int, clips: int, personas: int) -> dict[str, list[float]]:
    from sonic_studio.services.settings import Settings
    from sonic_studio.services.studio import Studio
    from sonic_studio.store import ClipQuery
    from sonic_studio.store.database import DB_FILENAME
    from sonic_studio.ui.bridge import StudioBridge, UiContext
    from sonic_studio.ui.panels.library import LibraryPanel

    settings = Settings.load(data_dir)
    settings.demo = True
    settings.demo_base_url = "http://127.0.0.1:9"  # never contacted: nothing is submitted
    studio = Studio(settings, data_dir=data_dir)
    await studio.start()
    ctx = UiContext(studio=studio, bridge=StudioBridge(studio), player=None)
    out: dict[str, list[float]] = {k: [] for k in (
        "open_panel_ms", "filter_keystroke_ms", "no_match_keystroke_ms", "next_key_during_count_ms",
        "legacy_like_scan_ms", "store_query_ms", "store_count_ms", "personas_filter_ms", "scroll_ms")}
    first_page = min(PAGE, clips)
    scroll_to = min(SCROLL_TO, clips)
    keystrokes = [TYPED[:i] for i in range(1, len(TYPED) + 1)]

    async def until(predicate, timeout: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise RuntimeError("timed out")
            await asyncio.sleep(0.001)

    def waiter(panel: LibraryPanel, *, with_count: bool) -> asyncio.Future:
        """Resolves when the model holds the current query's rows (and its count)."""
        future = asyncio.get_running_loop().create_future()

        def check(*_args) -> None:
            if future.done():
                return
            if not with_count or panel.model.total >= 0:
                future.set_result(None)

        panel.model.queryFinished.connect(check)
        panel.model.totalChanged.connect(check)
        future.add_done_callback(lambda _f: (panel.model.queryFinished.disconnect(check),
                                             panel.model.totalChanged.disconnect(check)))
        return future

    async def answered(panel: LibraryPanel, text: str, *, with_count: bool = True) -> float:
        """Seconds from a text change to the model holding that query's rows (and count)."""
        done = waiter(panel, with_count=with_count)
        t0 = time.perf_counter()
        panel.search.setText(text)
        await asyncio.wait_for(done, 30)
        elapsed = time.perf_counter() - t0
        assert panel.model.query.text == text
        return elapsed

    try:
        for run in range(runs + 1):  # run 0 warms caches (SQLite pages, imports, fonts)
            t0 = time.perf_counter()
            panel = LibraryPanel(ctx)
            panel.resize(420, 760)
            panel.show()
            await until(lambda: panel.model.loaded and panel.model.rowCount() > 0)
            panel.repaint()  # the first paint, synchronously (processEvents would re-enter the loop)
            opened = time.perf_counter() - t0
            assert panel.model.rowCount() == first_page, panel.model.rowCount()
            await until(lambda: panel.model.total >= 0)

            keys = [await answered(panel, text) for text in keystrokes]
            assert panel.model.total >= 0
            no_match = await answered(panel, NO_MATCH)
            assert panel.model.total == 0
            # Type "ni", and the moment its rows land (its count now in flight) type "nig".
            await answered(panel, "", with_count=True)
            await answered(panel, "ni", with_count=False)
            during_count = await answered(panel, "nig", with_count=False)
            await until(lambda: panel.model.total >= 0)
            await answered(panel, "")

            legacy = legacy_scan_ms(data_dir / DB_FILENAME, keystrokes)
            store_query, store_count = [], []
            for text in keystrokes:
                t = time.perf_counter()
                await studio.library.query(ClipQuery(text=text, limit=PAGE))
                store_query.append(time.perf_counter() - t)
                t = time.perf_counter()
                studio.library.count(ClipQuery(text=text))
                store_count.append(time.perf_counter() - t)

            t = time.perf_counter()
            panel.filter_button.setChecked(True)  # loads the 1,000 personas into the filter
            loaded_personas = time.perf_counter() - t
            assert panel.persona_combo.count() == personas + 1

            t = time.perf_counter()
            while panel.model.rowCount() < scroll_to:
                panel.table.scrollToBottom()
                await asyncio.sleep(0.001)
            scrolled = time.perf_counter() - t

            panel.close()
            panel.deleteLater()
            await asyncio.sleep(0.05)
            if run == 0:
                continue
            out["open_panel_ms"].append(opened * 1000)
            out["filter_keystroke_ms"].extend(k * 1000 for k in keys)
            out["no_match_keystroke_ms"].append(no_match * 1000)
            out["next_key_during_count_ms"].append(during_count * 1000)
            out["legacy_like_scan_ms"].extend(legacy)
            out["store_query_ms"].extend(q * 1000 for q in store_query)
            out["store_count_ms"].extend(c * 1000 for c in store_count)
            out["personas_filter_ms"].append(loaded_personas * 1000)
            out["scroll_ms"].append(scrolled * 1000)
    finally:
        await asyncio.sleep(0.3)  # let the last cover thumbnails land
        ctx.bridge.detach()
        await studio.aclose()
    return out


def summarise(samples: dict[str, list[float]]) -> dict:
    med = statistics.median
    results = {
        name: {"value": round(med(samples[name]), 2), "target": target, "unit": unit,
               "pass": med(samples[name]) <= target}
        for name, (target, unit) in TARGETS.items()
    }
    details = {name: round(med(values), 2) for name, values in samples.items() if name not in TARGETS}
    details["filter_keystroke_max_ms"] = round(max(samples["filter_keystroke_ms"]), 2)
    details["keystroke_vs_like_scan"] = round(med(samples["filter_keystroke_ms"]) / med(samples["legacy_like_scan_ms"]), 3)
    return {"results": results, "details": details}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per size (median; at least 3)")
    parser.add_argument("--clips", type=int, nargs="+", default=[1_000, 10_000, 100_000],
                        help="library sizes to measure (default: 1000 10000 100000)")
    parser.add_argument("--personas", type=int, default=1_000)
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    runs = max(3, args.runs)
    sizes = sorted(set(args.clips))

    import qasync
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    root = Path(tempfile.mkdtemp(prefix="bench-library-"))
    os.environ["XDG_CONFIG_HOME"] = str(root / "config")  # keep the user's settings out
    os.environ["XDG_CACHE_HOME"] = str(root / "cache")
    QCoreApplication.setOrganizationName("sonic-studio-bench")
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # panels open and close on every run
    by_size: dict[int, dict] = {}
    loads = []
    try:
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            for clips in sizes:
                data_dir = root / f"data-{clips}"
                data_dir.mkdir()
                filled = fill(data_dir, clips, args.personas)
                print(f"filled {clips:,} clips and {args.personas:,} personas in {filled['fill_s']:.1f} s", flush=True)
                samples = loop.run_until_complete(measure(data_dir, runs, clips, args.personas))
                by_size[clips] = summarise(samples)
                if hasattr(os, "getloadavg"):  # other work on the machine shows up in every figure
                    loads.append(os.getloadavg()[0])
                shutil.rmtree(data_dir, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    smallest = by_size[sizes[0]]
    print(f"\nlibrary benchmark - {args.personas:,} personas, median of {runs} runs per size "
          f"({platform.node()}, {os.cpu_count()} CPUs, 1-min load {', '.join(f'{x:.2f}' for x in loads)})")
    for clips in sizes:
        summary = by_size[clips]
        print(f"\n{clips:,} clips")
        print(f"{'figure':<34} {'value':>9} {'target':>9}  result  {'÷ ' + format(sizes[0], ',') + ' clips':>12}")
        print("-" * 82)
        for name, r in summary["results"].items():
            scale = r["value"] / smallest["results"][name]["value"]
            print(f"{name:<34} {r['value']:>9.2f} {'<= ' + str(r['target']):>9}  {'PASS' if r['pass'] else 'FAIL':<6}  "
                  f"{scale:>11.2f}x")
        for name, value in summary["details"].items():
            scale = value / smallest["details"][name] if smallest["details"][name] else float("nan")
            print(f"  {name:<32} {value:>9.2f} {'':>9}  {'':<6}  {scale:>11.2f}x")
    document = {"benchmark": "library", "runs": runs, "personas": args.personas, "load_average_1min": loads,
                "sizes": {str(k): v for k, v in by_size.items()}}
    print("\n" + json.dumps(document, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(document, indent=2) + "\n")
    return 0 if all(r["pass"] for v in by_size.values() for r in v["results"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
