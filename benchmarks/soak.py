"""Fault soak: many paid tasks against a misbehaving server, with the app killed mid-run.

    python benchmarks/soak.py                      # full run: 200 tasks, 2 kills
    python benchmarks/soak.py --tasks 30 --kills 1 # the short form CI runs (tests/test_soak.py)

What happens:

* The emulator of both APIs runs in this process on a loopback socket (127.0.0.1 only)
  and misbehaves at random, from a fixed seed: HTTP 429/430/455/500/502/503, latency
  spikes, hangs longer than the poll timeout, dropped connections, malformed and
  truncated JSON, replies cut mid-body, and on the CDN audio downloads that break
  mid-stream ("cut"), fail with 500, or answer 404 (media removed).
* A worker process (this script with ``--worker``) runs the real services - two
  ``Studio`` instances, one per provider, each with its own data dir - and submits a
  plan of tasks of mixed kinds (generate, extend, cover, upload-extend with and without
  auto_concat, upload-cover) on both providers, at most ``--max-active`` at a time.
* The worker is SIGKILLed ``--kills`` times during the run and restarted; on restart
  it resumes unfinished tasks and submits only the plan items its library does not
  know yet (the library is the memory of what was paid for: nothing is resubmitted).
* At the end the emulator's own records (every POST it received, every task it
  accepted) are compared with the worker's SQLite stores.

Figures (all must be 0 except the times; the exit code is 1 otherwise):

  lost        a task the emulator accepted that no local task row accounts for
  twice       a plan item POSTed to a submit endpoint more than once, or accepted twice
  stuck       a task still active or STALLED when the run ends
  crashed     unexpected exceptions: tracebacks / ERROR lines in the worker's log or
              stderr, non-StudioError exceptions from a submit, a worker that died on its own
  corrupt     a library audio file whose audio differs from what the server served (the library's
              own ID3 tag aside)

Reported alongside: tasks by final state; UNKNOWN ("may have been submitted") split into
"sent" (the emulator did accept it: the submit's reply was lost, or the worker was killed
while waiting for it) and "not sent"; FAILED tasks the provider had in fact finished
(a result paid for but not delivered); clips whose download failed (e.g. 404);
leftover partial download files; time to settle (last submission -> every task final).

Kills during submit (issue 14): ``--submit-latency 3`` makes every submit answer after 3 s (a
slow provider, as sunoapi.org often is), so most kills land while a submit is on the wire, and
``--kill-signal term`` stops the worker with SIGTERM (the app closing, Ctrl+C) instead of
SIGKILL.  "unknown, provider had it" is then the figure to watch: SIGKILL cannot be helped
without a recovery endpoint; on SIGTERM the worker waits (bounded) for the answers on the wire.

    python benchmarks/soak.py --tasks 40 --kills 4 --submit-latency 3 --fault-rate 0 --kill-signal kill
    python benchmarks/soak.py --tasks 40 --kills 4 --submit-latency 3 --fault-rate 0 --kill-signal term

The run is bounded: ``--tasks`` items, ``--seconds`` wall-clock cap (the worker is
killed and the remaining active tasks count as stuck).  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

SOAK_KEY = "sk-soak-FAKE-5f0e1d2c3b4a69788796a5b4"
SAMPLE_PATH = "/samples/night-drive.mp3"  # 96 s, served by the emulator itself
KINDS = [("generate", 3), ("extend", 2), ("cover", 2), ("upload_extend", 2), ("upload_cover", 2)]
SUBMIT_PATHS = {
    "/api/v1/sonic/create", "/api/v1/sonic/upload-extend", "/api/v1/sonic/upload-cover",
    "/api/v1/generate", "/api/v1/generate/extend", "/api/v1/generate/upload-cover",
    "/api/v1/generate/upload-extend",
}
ACTIVE = ("submitting", "pending", "running", "downloading")
MUST_BE_ZERO = ("lost", "twice", "stuck", "crashed", "corrupt")


# ============================================================================ plan
def make_plan(tasks: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    kinds = [k for k, weight in KINDS for _ in range(weight)]
    plan = []
    for n in range(tasks):
        kind = rng.choice(kinds)
        provider = "sonic" if n % 2 == 0 else "sunoapi"
        plan.append({
            "n": n,
            "title": f"soak-{n:03d} {kind.replace('_', '-')}",
            "provider": provider,
            "kind": kind,
            "continue_at": round(rng.uniform(12.0, 45.0), 2),
            "audio_weight": round(rng.uniform(0.2, 0.9), 2),
            "auto_concat": provider == "sonic" and kind == "upload_extend" and rng.random() < 0.5,
            "generated_source": rng.random() < 0.5,  # extend/cover a generated clip when one exists
        })
    return plan


# ============================================================================ faults
def fault_rules(rate: float):
    """(path prefix, relative weight, Fault); ``rate`` = chance that a request misbehaves."""
    from sonic_studio.emulator.app import Fault

    api = [
        (3, Fault("status", status=429, retry_after=0.5)),
        (2, Fault("status", status=430)),
        (2, Fault("status", status=455)),
        (3, Fault("status", status=500)),
        (1, Fault("status", status=502)),
        (1, Fault("status", status=503)),
        (3, Fault("latency", seconds=1.5)),
        (2, Fault("timeout", seconds=4.0)),  # longer than the worker's 3 s poll timeout, then a reset
        (2, Fault("drop")),
        (2, Fault("malformed")),
        (2, Fault("truncated")),
        (2, Fault("cut")),
    ]
    cdn = [
        (3, Fault("cut")),
        (1, Fault("status", status=404, body={"code": 404, "message": "media removed"})),
        (2, Fault("status", status=500)),
        (2, Fault("latency", seconds=1.0)),
        (1, Fault("drop")),
    ]
    rules = []
    for prefix, table in (("/api/", api), ("/cdn/", cdn)):
        total = sum(weight for weight, _ in table)
        rules += [(prefix, rate * weight / total, fault) for weight, fault in table]
    return rules


def install_faults(emulator, rate: float, seed: int, submit_latency: float = 0.0) -> dict[str, int]:
    """Random faults per path family, from a fixed seed; returns live counters by kind.

    ``submit_latency``: every submit POST the random faults leave alone answers this late.
    """
    from sonic_studio.emulator.app import Fault, FaultSwitch

    slow_submit = Fault("latency", seconds=submit_latency)

    rules = fault_rules(rate)
    counts: dict[str, int] = {}

    class SoakFaults(FaultSwitch):
        def __init__(self) -> None:
            super().__init__()
            self._soak_rng = random.Random(seed)

        def pick(self, method, path):
            planned = super().pick(method, path)
            if planned is not None:
                return planned
            with self._lock:
                roll = self._soak_rng.random()
                for prefix, chance, fault in rules:
                    if not path.startswith(prefix):
                        continue
                    if roll < chance:
                        label = f"{prefix.strip('/')}:{fault.kind}" + (f"-{fault.status}" if fault.kind == "status" else "")
                        counts[label] = counts.get(label, 0) + 1
                        return fault
                    roll -= chance
            if submit_latency and method == "POST" and path in SUBMIT_PATHS:
                return slow_submit
            return None

    emulator.faults = SoakFaults()
    return counts


# ============================================================================ worker (a separate process)
async def worker_main(args: argparse.Namespace) -> int:
    """Submit the plan items the library does not know yet; follow every task to the end."""
    from sonic_studio.core.errors import StudioError, ValidationError
    from sonic_studio.core.models import GenerationParams, Origin, ProviderId
    from sonic_studio.logs import setup_logging
    from sonic_studio.services import Settings, Studio
    from sonic_studio.store import ClipQuery

    data = Path(args.data)
    setup_logging(data)
    log = logging.getLogger("soak.worker")
    crashes = 0
    studios: dict[str, Studio] = {}
    for pid in ("sonic", "sunoapi"):
        settings = Settings.load(data / pid)
        settings.provider = pid
        settings.base_urls[pid] = args.base_url
        studio = Studio(settings, data_dir=data / pid, poll_timeout=3.0, max_wait=args.max_wait,
                        download_retry_delay=0.3)
        await studio.start()  # orphaned submits -> UNKNOWN, unfinished tasks resume
        studios[pid] = studio

    def known_titles() -> set[str]:
        titles = set()
        for studio in studios.values():
            for rec in studio.tasks.list(limit=100_000):
                title = (rec.request.get("params") or {}).get("title")
                if title:
                    titles.add(title)
        return titles

    def active_count() -> int:
        return sum(len(s.tasks.list(active_only=True, limit=100_000)) for s in studios.values())

    sample = args.base_url + SAMPLE_PATH
    uploads: dict[str, int] = {}

    async def uploaded_source(pid: str) -> int:
        """One uploaded copy of the sample per provider (uploads are free; retried through faults)."""
        studio = studios[pid]
        if pid in uploads:
            return uploads[pid]
        rows = await studio.library.query(ClipQuery(origin=Origin.UPLOADED, provider=ProviderId(pid), limit=1))
        for attempt in range(20):
            if rows:
                break
            try:
                rows = [await studio.tasks.upload(sample)]
            except StudioError as exc:
                log.info("upload attempt %d failed: %s", attempt + 1, exc.kind.value)
                await asyncio.sleep(0.3)
        if not rows:
            raise RuntimeError("could not upload the sample through the faults")
        uploads[pid] = rows[0].id
        return rows[0].id

    async def source_for(item: dict) -> int:
        studio = studios[item["provider"]]
        if item["generated_source"]:
            rows = await studio.library.query(ClipQuery(origin=Origin.GENERATED, provider=ProviderId(item["provider"]),
                                                        limit=50))
            usable = [r for r in rows if r.audio_path and (r.duration or 0) > item["continue_at"] + 5]
            if usable:
                return random.Random(item["n"]).choice(usable).id
        return await uploaded_source(item["provider"])

    async def submit(item: dict) -> None:
        nonlocal crashes
        studio = studios[item["provider"]]
        model = studio.settings.default_model(item["provider"])
        params = GenerationParams(model=model, lyrics="[Verse]\nsoak test\n[Chorus]\nla la", tags="soak, test",
                                  title=item["title"])
        kind, tasks = item["kind"], studio.tasks
        try:
            if kind == "generate":
                await tasks.submit_generate(params)
            elif kind == "extend":
                await tasks.submit_extend(await source_for(item), item["continue_at"], params)
            elif kind == "cover":
                params.audio_weight = item["audio_weight"]
                await tasks.submit_cover(await source_for(item), params)
            elif kind == "upload_extend":
                await tasks.submit_upload_extend(sample, item["continue_at"], params, item["auto_concat"])
            elif kind == "upload_cover":
                params.audio_weight = item["audio_weight"]
                await tasks.submit_upload_cover(sample, params)
        except ValidationError as exc:
            if exc.provider is None:  # refused locally: a plan bug, nothing was sent
                log.error("plan item %s invalid: %s", item["n"], exc)
                crashes += 1
        except StudioError:
            pass  # the task row says FAILED or UNKNOWN; never retried
        except Exception:  # noqa: BLE001 - exactly what the soak counts
            crashes += 1
            log.error("submit of plan item %s crashed:\n%s", item["n"], traceback.format_exc())

    in_flight: set[asyncio.Task] = set()  # submit jobs
    main_task = asyncio.current_task()
    # SIGTERM = the app closing (see the except below).
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    try:
        return await _work(args, studios, known_titles, active_count, submit, lambda: crashes, in_flight)
    except asyncio.CancelledError:
        # Like Ctrl+C in the CLI: the operations in progress are cancelled at once.  A
        # submit on the wire then waits (bounded) for its answer before giving up as UNKNOWN.
        jobs = list(in_flight)
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        for studio in studios.values():
            await studio.aclose()
        print(json.dumps({"event": "stopped", "time": time.time()}), flush=True)
        return 128 + signal.SIGTERM


async def _work(args, studios, known_titles, active_count, submit, crashes, in_flight: set) -> int:
    plan = json.loads(Path(args.plan).read_text())
    pending = [item for item in plan if item["title"] not in known_titles()]
    for item in pending:
        while active_count() + len(in_flight) >= args.max_active:
            await asyncio.sleep(0.1)
        job = asyncio.get_running_loop().create_task(submit(item))
        in_flight.add(job)
        job.add_done_callback(in_flight.discard)
        await asyncio.sleep(0.02)
    while in_flight:
        await asyncio.sleep(0.1)
    print(json.dumps({"event": "submitted", "time": time.time()}), flush=True)
    while active_count():
        await asyncio.sleep(0.2)
    for studio in studios.values():
        await studio.aclose()
    print(json.dumps({"event": "settled", "time": time.time(), "crashes": crashes()}), flush=True)
    return 0


# ============================================================================ the driver
class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.root = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="sonic-soak-"))
        self.data = self.root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.plan = make_plan(args.tasks, args.seed)
        (self.root / "plan.json").write_text(json.dumps(self.plan, indent=1))
        self.events: list[dict] = []
        self.workers: list[dict] = []
        self.emulator_errors = 0

    def say(self, text: str) -> None:
        if not self.args.quiet:
            print(f"[soak {time.monotonic() - self.t0:6.1f}s] {text}", file=sys.stderr, flush=True)

    # ---------------------------------------------------------------- emulator
    def start_emulator(self) -> None:
        from sonic_studio.emulator.app import Emulator, Timing
        from sonic_studio.emulator.server import EmulatorServer

        self.emulator = Emulator(
            timing=Timing(queue=0.8, first_clip=1.6, second_clip=2.4, concat=0.8, upload=0.0),
            valid_keys={SOAK_KEY},
            credits={"sonic": 1e9, "sunoapi": 1e9},
            seed=self.args.seed,
        )
        self.fault_counts = install_faults(self.emulator, self.args.fault_rate, self.args.seed,
                                           self.args.submit_latency)
        self.server = EmulatorServer(self.emulator, host="127.0.0.1")
        self.base_url = self.server.start_in_thread()
        assert urlsplit(self.base_url).hostname == "127.0.0.1"

        class Count(logging.Handler):
            def emit(inner, record):  # noqa: N805
                self.emulator_errors += 1

        handler = Count(level=logging.ERROR)
        logging.getLogger("asyncio").addHandler(handler)

    def submitted_titles(self) -> set[str]:
        with self.emulator.lock:
            requests = list(self.emulator.requests)
        return {_title_of(r.json) for r in requests if r.method == "POST" and r.path in SUBMIT_PATHS} - {None}

    # ---------------------------------------------------------------- worker processes
    def spawn_worker(self) -> subprocess.Popen:
        index = len(self.workers) + 1
        env = {**os.environ, "SONIC_STUDIO_API_KEY": SOAK_KEY,
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        env.pop("SONIC_STUDIO_POLL_INTERVAL", None)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--plan", str(self.root / "plan.json"),
               "--data", str(self.data), "--base-url", self.base_url, "--max-active", str(self.args.max_active),
               "--max-wait", str(self.args.max_wait)]
        # Kept open for the worker's whole life (closed when it is reaped), so no `with` block.
        out = open(self.root / f"worker-{index}.out", "w")  # noqa: SIM115
        err = open(self.root / f"worker-{index}.err", "w")  # noqa: SIM115
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=str(ROOT))
        self.workers.append({"index": index, "pid": proc.pid, "started": time.monotonic(), "killed": False,
                             "out": out, "err": err})
        self.say(f"worker {index} started (pid {proc.pid})")
        return proc

    def execute(self) -> dict:
        args = self.args
        self.t0 = time.monotonic()
        self.start_emulator()
        self.say(f"emulator on {self.base_url}; {args.tasks} tasks, {args.kills} kills, fault rate {args.fault_rate}")
        kill_at = [max(1, round(args.tasks * (k + 1) / (args.kills + 1))) for k in range(args.kills)]
        rng = random.Random(args.seed * 31 + 7)
        deadline = self.t0 + args.seconds
        proc = self.spawn_worker()
        timed_out = False
        last_submit = None
        while True:
            code = proc.poll()
            if code is not None:
                info = self.workers[-1]
                info["exit"] = code
                if code != 0:
                    self.say(f"worker {info['index']} exited on its own with code {code}")
                    info["died"] = True
                    if len(self.workers) > args.kills + 3:
                        break
                    proc = self.spawn_worker()
                    continue
                break
            if time.monotonic() > deadline:
                timed_out = True
                self.say("time cap reached: killing the worker; what is still active counts as stuck")
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                self.workers[-1]["killed"] = True
                break
            sent = len(self.submitted_titles())
            if last_submit is None and sent >= args.tasks:
                last_submit = time.monotonic()
            if kill_at and sent >= kill_at[0]:
                kill_at.pop(0)
                time.sleep(rng.uniform(0.0, 1.5))  # land mid-submit, mid-poll or mid-download
                sig = signal.SIGTERM if args.kill_signal == "term" else signal.SIGKILL
                proc.send_signal(sig)
                try:
                    proc.wait(timeout=30)  # SIGTERM: the worker may wait for answers on the wire
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                self.workers[-1]["killed"] = True
                self.workers[-1]["exit"] = -sig
                self.say(f"{sig.name} worker {self.workers[-1]['index']} after {sent} plan items were sent")
                proc = self.spawn_worker()
            time.sleep(0.1)
        for info in self.workers:
            info["out"].close()
            info["err"].close()
        ended = time.monotonic()
        self.server.stop_thread()
        report = self.evaluate(timed_out)
        settled_at = None
        for info in self.workers:
            for line in (self.root / f"worker-{info['index']}.out").read_text().splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "settled":
                    settled_at = event["time"]
        report["seconds_total"] = round(ended - self.t0, 1)
        submitted_wall = None
        for info in self.workers:
            for line in (self.root / f"worker-{info['index']}.out").read_text().splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "submitted":
                    submitted_wall = event["time"]
        report["seconds_to_settle"] = (round(settled_at - submitted_wall, 1)
                                       if settled_at and submitted_wall else None)
        report["kills"] = sum(1 for w in self.workers if w["killed"] and w.get("exit") in (-9, -15))
        report["kill_signal"] = args.kill_signal
        report["submit_latency"] = args.submit_latency
        report["worker_runs"] = len(self.workers)
        report["timed_out"] = timed_out
        report["faults_injected"] = dict(sorted(self.fault_counts.items()))
        report["requests_served"] = len(self.emulator.requests)
        report["emulator_errors"] = self.emulator_errors
        report["data_dir"] = str(self.root)
        return report

    # ---------------------------------------------------------------- figures
    def evaluate(self, timed_out: bool) -> dict:
        emu = self.emulator
        plan_titles = {item["title"] for item in self.plan}
        # What the provider side knows: every submit POST, every task it accepted.
        posts: dict[str, int] = {}
        for r in emu.requests:
            if r.method == "POST" and r.path in SUBMIT_PATHS:
                title = _title_of(r.json)
                if title:
                    posts[title] = posts.get(title, 0) + 1
        accepted: dict[tuple[str, str], str] = {}  # (provider, task id) -> plan title
        sonic = emu.state["sonic"]
        for task_id, task in sonic.tasks.items():
            titles = {sonic.clips[c].meta.get("title") for c in task.clips}
            title = next((t for t in titles if t in plan_titles), None)
            if title:
                accepted[("sonic", task_id)] = title
        for task_id, task in emu.state["sunoapi"].tasks.items():
            title = _title_of(json.loads(task.param))
            if title in plan_titles:
                accepted[("sunoapi", task_id)] = title
        finished_at_provider = {key for key in accepted if _provider_finished(emu, *key)}

        rows, clips = [], []
        for pid in ("sonic", "sunoapi"):
            db = self.data / pid / "library.sqlite3"
            if not db.exists():
                continue
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            conn.row_factory = sqlite3.Row
            rows += [dict(r) for r in conn.execute("SELECT * FROM tasks")]
            clips += [dict(r) for r in conn.execute("SELECT * FROM clips")]
            conn.close()
        by_id = {(r["provider"], r["provider_task_id"]): r for r in rows if r["provider_task_id"]}
        for r in rows:  # local ids restart at 1 in each provider's store
            r["title"] = (json.loads(r["request_json"]).get("params") or {}).get("title")
        unknown_titles = {r["title"] for r in rows if r["state"] == "unknown"}

        lost, unknown_sent = [], []
        for key, title in accepted.items():
            if key in by_id:
                continue
            (unknown_sent if title in unknown_titles else lost).append(title)
        accepted_titles: dict[str, int] = {}
        for title in accepted.values():
            accepted_titles[title] = accepted_titles.get(title, 0) + 1
        twice = sorted({t for t, n in posts.items() if n > 1} | {t for t, n in accepted_titles.items() if n > 1})
        row_titles: dict[str, int] = {}
        for r in rows:
            title = r["title"]
            if title in plan_titles:
                row_titles[title] = row_titles.get(title, 0) + 1
        twice = sorted(set(twice) | {t for t, n in row_titles.items() if n > 1})
        never_tried = sorted(plan_titles - set(row_titles))

        states: dict[str, int] = {}
        for r in rows:
            states[r["state"]] = states.get(r["state"], 0) + 1
        stuck = [r["title"] for r in rows if r["state"] in ACTIVE or r["state"] == "stalled"]
        undelivered = [r["title"] for r in rows
                       if r["state"] == "failed" and (r["provider"], r["provider_task_id"]) in finished_at_provider]

        from sonic_studio.audio.tags import untagged_mp3

        corrupt, saved, not_saved = [], 0, []
        for c in clips:
            if c["audio_path"]:
                saved += 1
                served = _served_bytes(emu, urlsplit(c["audio_url"] or "").path)
                path = Path(c["audio_path"])
                if not path.is_file() or served is None or untagged_mp3(path.read_bytes()) != untagged_mp3(served):
                    corrupt.append(c["clip_id"])
                if not path.resolve().is_relative_to(self.data.resolve()):
                    corrupt.append(c["clip_id"] + " (outside the data dir)")
            elif c["state"] == "succeeded" and c["task"] is not None:
                not_saved.append(c["download_error"] or "no error recorded")
        half_files = [str(p.relative_to(self.data)) for p in self.data.rglob("*") if ".part" in p.name]

        crashed = []
        for info in self.workers:
            if info.get("died"):
                crashed.append(f"worker {info['index']} exited with {info.get('exit')}")
            err = (self.root / f"worker-{info['index']}.err").read_text(errors="replace")
            if "Traceback" in err:
                crashed.append(f"traceback on worker {info['index']} stderr")
            for line in (self.root / f"worker-{info['index']}.out").read_text().splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("crashes"):
                    crashed.append(f"{event['crashes']} submit crash(es) in worker {info['index']}")
        log_dir = self.data / "logs"
        for log_file in sorted(log_dir.glob("sonic-studio.log*")) if log_dir.exists() else []:
            for line in log_file.read_text(errors="replace").splitlines():
                if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback"):
                    crashed.append(line[:200])

        leaks = [str(p) for p in self.data.rglob("*") if p.is_file() and SOAK_KEY.encode() in p.read_bytes()]
        return {
            "tasks": len(self.plan),
            "submitted": len(posts),
            "accepted_by_provider": len(accepted),
            "lost": len(lost),
            "twice": len(twice),
            "stuck": len(stuck),
            "crashed": len(crashed),
            "corrupt": len(corrupt),
            "states": dict(sorted(states.items())),
            "unknown_sent": len(unknown_sent),
            "unknown_not_sent": states.get("unknown", 0) - len(unknown_sent),
            "failed_but_finished_at_provider": len(undelivered),
            "never_tried": len(never_tried),
            "clips_saved": saved,
            "clips_not_saved": len(not_saved),
            "not_saved_reasons": _tally(not_saved),
            "half_files_left": len(half_files),
            "key_leaks": len(leaks),
            "details": {"lost": lost, "twice": twice, "stuck": stuck, "crashed": crashed[:20], "corrupt": corrupt,
                        "undelivered": undelivered, "half_files": half_files[:20], "never_tried": never_tried,
                        "key_leaks": leaks},
        }


def _title_of(body) -> str | None:
    if isinstance(body, dict):
        title = body.get("title")
        if isinstance(title, str) and title.startswith("soak-"):
            return title
    return None


def _served_bytes(emu, path: str) -> bytes | None:
    """What the emulator serves at ``path``: CDN media, or a demo sample (rendered, cached)."""
    item = emu.media.get(path)
    if item is not None:
        return item.data
    if path.startswith("/samples/"):
        from sonic_studio.emulator import cdn, synth

        spec = cdn.SAMPLES.get(path.rsplit("/", 1)[-1])
        return synth.song_mp3(**spec) if spec else None
    return None


def _provider_finished(emu, provider: str, task_id: str) -> bool:
    """Did the emulated provider finish this task with at least one audio file?"""
    if provider == "sonic":
        task = emu.state["sonic"].tasks[task_id]
        clips = [emu.state["sonic"].clips[c] for c in task.clips + (task.fulls or [])]
        return any(c.audio.done() and c.audio.exception() is None and c.error is None for c in clips)
    task = emu.state["sunoapi"].tasks[task_id]
    return task.outcome in ("SUCCESS", "CALLBACK_EXCEPTION") and any(t.audio_path for t in task.tracks)


def _tally(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        key = item.split(";")[0][:90]
        out[key] = out.get(key, 0) + 1
    return out


def print_report(report: dict) -> None:
    width = 34
    lines = [
        "Sonic Studio fault soak",
        f"{'tasks planned':<{width}}{report['tasks']}",
        f"{'tasks submitted (POSTed)':<{width}}{report['submitted']}",
        f"{'accepted by the provider':<{width}}{report['accepted_by_provider']}",
        f"{'forced kills (SIGKILL)':<{width}}{report['kills']}  (worker runs: {report['worker_runs']})",
        f"{'lost':<{width}}{report['lost']}",
        f"{'submitted twice':<{width}}{report['twice']}",
        f"{'stuck':<{width}}{report['stuck']}",
        f"{'crashed':<{width}}{report['crashed']}",
        f"{'corrupt library files':<{width}}{report['corrupt']}",
        f"{'time to settle (s)':<{width}}{report['seconds_to_settle']}",
        f"{'total run time (s)':<{width}}{report['seconds_total']}",
        "",
        f"{'final states':<{width}}{report['states']}",
        f"{'unknown, provider had it':<{width}}{report['unknown_sent']}",
        f"{'unknown, never reached it':<{width}}{report['unknown_not_sent']}",
        f"{'failed, provider finished it':<{width}}{report['failed_but_finished_at_provider']}",
        f"{'clips saved / not saved':<{width}}{report['clips_saved']} / {report['clips_not_saved']}  "
        f"{report['not_saved_reasons']}",
        f"{'partial download files left':<{width}}{report['half_files_left']}",
        f"{'files holding the key':<{width}}{report['key_leaks']}",
        f"{'requests served':<{width}}{report['requests_served']}",
        f"{'faults injected':<{width}}{sum(report['faults_injected'].values())}  {report['faults_injected']}",
        f"{'data kept in':<{width}}{report['data_dir']}",
    ]
    print("\n".join(lines), flush=True)
    problems = {k: v for k, v in report["details"].items() if v}
    if problems:
        print("details: " + json.dumps(problems, indent=1)[:4000], flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=200, help="plan items (tasks to submit), default 200")
    parser.add_argument("--kills", type=int, default=2, help="forced SIGKILLs of the worker, default 2")
    parser.add_argument("--seconds", type=float, default=900.0, help="wall-clock cap for the whole run")
    parser.add_argument("--seed", type=int, default=7, help="plan, fault and kill-timing seed")
    parser.add_argument("--fault-rate", type=float, default=0.12, help="chance that one request misbehaves")
    parser.add_argument("--max-active", type=int, default=8, help="tasks in flight at once in the worker")
    parser.add_argument("--max-wait", type=float, default=180.0, help="per-task polling cap before STALLED")
    parser.add_argument("--data-dir", help="keep the run's files here (default: a temp dir, removed on success)")
    parser.add_argument("--submit-latency", type=float, default=0.0,
                        help="every submit answers this many seconds late (a slow provider), default 0")
    parser.add_argument("--kill-signal", choices=["kill", "term"], default="kill",
                        help="SIGKILL (a crash) or SIGTERM (closing), default kill")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    # Internal: the worker process.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.tasks <= 2000:
        parser.error("--tasks must be 1..2000")
    if not 0 <= args.kills <= 10:
        parser.error("--kills must be 0..10")
    if not 0 <= args.fault_rate < 0.9:
        parser.error("--fault-rate must be 0..0.9")
    if not 0 <= args.submit_latency <= 30:
        parser.error("--submit-latency must be 0..30 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        if urlsplit(args.base_url or "").hostname != "127.0.0.1":
            print("the soak worker only talks to 127.0.0.1", file=sys.stderr)
            return 2
        return asyncio.run(worker_main(args))
    run = Run(args)
    report = run.execute()
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_report(report)
    ok = all(report[name] == 0 for name in MUST_BE_ZERO) and not report["timed_out"]
    if ok and not args.data_dir:
        shutil.rmtree(run.root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
