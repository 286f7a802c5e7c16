"""Time each stage of a run and the whole Prefect flow, on the demo, on a 10× larger program and on that
program with 10 million e-mail events in one month; the events' cost beside a bare DuckDB count of the
same file, each run's peak memory (all its processes), and a backfill's cost per client-month.

Usage: ``make bench`` (or ``python bench/benchmark.py [--repeat N]``). Prints tables of median
seconds; the figures go into the issue notes. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table
from startup import startup_table  # bench/ is the script's folder

from retropack.config import load_config
from retropack.demo import generate
from retropack.flow import steps
from retropack.months import Month
from retropack.render.charts import draw_charts
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf

ROOT = Path(__file__).resolve().parents[1]

MONTH = "2026-10"
EVENTS = 10_000_000
REJECTED = 450_000  # events rejected in the run that shows their rejects stay out of memory (within the 5 % allowed)
BACKFILL_FIRST = "2026-08"  # a backfill of BACKFILL_FIRST..MONTH, against one of MONTH alone
BARE_FLOW = "from prefect import flow\n@flow(name='bare')\ndef bare():\n    return 1\nbare()\n"


def median_time(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def stages(config: Path, data: Path | None, repeat: int, work: Path) -> dict[str, float]:
    loaded = load_config(config, data=data)
    month = Month.parse(MONTH)
    timings: dict[str, float] = {}
    timings["load + validate"], dataset = median_time(lambda: first_load(loaded.settings), repeat)
    timings["KPIs + analysis"], analysis = median_time(lambda: steps.compute(dataset, loaded, month), repeat)
    generated_at = steps.now_in(loaded.settings)
    timings["view model"], view = median_time(
        lambda: steps.view(analysis, dataset, loaded, "bench", generated_at), repeat)
    timings["charts"], _ = median_time(lambda: draw_charts(view, work / "charts"), repeat)
    pdf_with_charts, _ = median_time(lambda: render_pdf(view, work / "pack.pdf"), repeat)
    timings["PDF"] = pdf_with_charts - timings["charts"]  # render_pdf draws its charts itself
    timings["PPTX"], _ = median_time(lambda: render_pptx(view, work / "pack.pptx"), repeat)
    timings["render (charts + PDF + PPTX)"] = timings["charts"] + timings["PDF"] + timings["PPTX"]
    return timings


def first_load(settings: object) -> object:
    """``steps.load`` as a run's first read: the dataset it keeps for the next month is dropped first."""
    steps.forget_loaded()
    return steps.load(settings)


def events_program(source: Path, folder: Path, count: int, *, text_times: bool = False, rejected: int = 0) -> Path:
    """A copy of ``source`` with ``count`` e-mail events of MONTH's sends as Parquet: per event a send of the
    month, one of 400,000 leads, an event (sent 30 %, delivered 29 %, open 25 %, click 10 %, unsubscribe 1 %,
    bounce 5 %) and a time within three days of the send, as a Parquet timestamp or (``text_times``) as ISO text
    with an offset; 1,000 rows name an unknown event and 1,000 an unknown send, as exports have a few, and
    ``rejected`` more rows name a formula as their event (a broken export: rejected rows by the hundred thousand)."""
    shutil.copytree(source, folder)
    sends = pd.read_csv(folder / "email_sends.csv", dtype=str, keep_default_na=False)
    sends = sends[sends["sent_at"].str.match(rf"{MONTH}-[0-9]{{2}}T")]
    rng = np.random.default_rng(15)
    which = rng.integers(0, len(sends), count)
    send_ids = pa.DictionaryArray.from_arrays(pa.array(which.astype(np.int32)), pa.array(sends["send_id"]))
    leads = pc.binary_join_element_wise("L", pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 400_000, count)),
                                                                  pa.string()), 7, "0"), "")
    names = np.array(["sent", "delivered", "open", "click", "unsubscribe", "bounce", "forwarded"])
    kinds = rng.choice(6, count, p=[0.30, 0.29, 0.25, 0.10, 0.01, 0.05])
    kinds[rng.choice(count, 1_000, replace=False)] = 6
    if rejected:  # else the generator's state, and so the file, stays as it was
        kinds[rng.choice(count, rejected, replace=False)] = 7
    events = pa.DictionaryArray.from_arrays(pa.array(kinds.astype(np.int8)), pa.array([*names, "=HYPERLINK(x)"]))
    sent_at = pd.to_datetime(sends["sent_at"].str[:19], format="%Y-%m-%dT%H:%M:%S").to_numpy().astype("datetime64[s]")
    moments = pa.array(sent_at[which] + rng.integers(0, 3 * 86_400, count).astype("timedelta64[s]"), pa.timestamp("s"))
    times = pc.binary_join_element_wise(pc.cast(moments, pa.string()), "+09:00", "") if text_times else \
        pc.assume_timezone(moments, "Asia/Tokyo")
    table = pa.table({"send_id": send_ids.dictionary_decode(), "lead_id": leads, "event": events.dictionary_decode(),
                      "occurred_at": times})
    unknown = rng.choice(count, 1_000, replace=False)
    table = table.set_column(0, "send_id", pc.if_else(pa.array(np.isin(np.arange(count), unknown)), "E-UNKNOWN",
                                                      table.column("send_id")))
    pq.write_table(table, folder / "email_events.parquet")
    return folder / "email_events.parquet"


def bare_duckdb(events: Path, repeat: int) -> tuple[float, float]:
    """Wall and CPU seconds for DuckDB alone to count the file's distinct leads per send and event, no checks."""
    def count() -> int:
        with duckdb.connect() as db:
            return len(db.execute("SELECT send_id, event, count(DISTINCT lead_id) FROM read_parquet(?) GROUP BY ALL",
                                  [str(events)]).fetchall())

    return median_cpu(count, repeat)


def tree_rss(root: int) -> int:
    """Bytes resident in process ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
        todo += children.get(pid, [])
    return total


@dataclass(frozen=True)
class Run:
    """A fresh process: wall seconds, CPU seconds (it and the processes it waited for, such as Prefect's
    temporary server) and the peak of all its processes' resident memory together, in MB."""

    seconds: float
    cpu: float
    peak_mb: float


def measured_run(command: list[str]) -> Run:
    """Run a command, sampling its process tree's memory every 20 ms."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed: {errors.read().decode()[-2000:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak / 2**20)


def median_run(command: list[str], repeat: int) -> Run:
    """Median seconds and CPU seconds of ``repeat`` runs, and the largest peak."""
    runs = [measured_run(command) for _ in range(repeat)]
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs),
               max(r.peak_mb for r in runs))


def backfill_command(config: Path, first: str, out: Path) -> list[str]:
    return [str(Path(sys.executable).with_name("retropack")), "backfill", "--config", str(config), "--from", first,
            "--to", MONTH, "--out", str(out)]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process, DuckDB's too
    return usage.ru_utime + usage.ru_stime


def median_cpu(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of an action run in this process."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, used = time.perf_counter(), cpu_seconds()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - used)
    return statistics.median(walls), statistics.median(cpus)


def process_time(code: str, repeat: int) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)

    return median_time(run, repeat)[0]


def cli_command(config: Path, data: Path | None, out: Path) -> list[str]:
    """``retropack run`` as an operator types it: its own temporary Prefect API, no mail."""
    return [str(Path(sys.executable).with_name("retropack")), "run", "--config", str(config), "--month", MONTH,
            "--out", str(out), "--no-deliver", *(["--data", str(data)] if data else [])]


def flow_code(config: Path, data: Path | None, out: Path) -> str:
    data_arg = f"'{data}'" if data else "None"
    return (
        "from retropack.flow.monthly_retrospective import monthly_retrospective\n"
        f"monthly_retrospective(config='{config}', month='{MONTH}', data={data_arg}, out='{out}', deliver=False)\n"
    )


def cpu_reference() -> float:
    """Seconds for a fixed pure-Python loop: the figures of two runs compare only next to this."""
    def loop() -> int:
        total = 0
        for i in range(10_000_000):
            total += i
        return total

    return median_time(loop, 3)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    console = Console()
    config = ROOT / "config" / "demo.yaml"
    labels = {"demo": None, "10× program": None, "10× + 10M events": None}
    with tempfile.TemporaryDirectory(prefix="retropack-bench-") as tmp:
        work = Path(tmp)
        labels["10× program"], labels["10× + 10M events"] = work / "big", work / "events"
        console.print("generating the 10× program …")
        gen_time, rows = median_time(lambda: generate(work / "big", scale=10.0), 1)
        console.print(f"  {gen_time:.2f} s: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
        console.print(f"generating {EVENTS:,} e-mail events of {MONTH} beside it …")
        gen_time, events = median_time(lambda: events_program(work / "big", work / "events", EVENTS), 1)
        size = events.stat().st_size / 2**20
        console.print(f"  {gen_time:.2f} s: {size:.0f} MB of Parquet")
        results, runs, loads = {}, {}, {}
        for label, data in labels.items():
            console.print(f"timing stages on the {label} …")
            (work / label).mkdir()
            results[label] = stages(config, data, args.repeat, work / label)
            settings = load_config(config, data=data).settings
            loads[label] = median_cpu(lambda settings=settings: first_load(settings), args.repeat)
            console.print(f"timing the whole flow and retropack run on the {label} …")
            results[label]["whole flow run (fresh process)"] = process_time(
                flow_code(config, data, work / f"out-{label}"), args.repeat)
            runs[label] = median_run(cli_command(config, data, work / f"cli-{label}"), args.repeat)
            results[label]["retropack run (fresh process)"] = runs[label].seconds
        console.print("timing a bare Prefect flow (fresh process) …")
        bare = process_time(BARE_FLOW, args.repeat)
        console.print("counting the events with DuckDB alone, and with text times …")
        bare_events = bare_duckdb(events, args.repeat)
        text = events_program(work / "big", work / "events-text", EVENTS, text_times=True)
        text_settings = load_config(config, data=text.parent).settings
        text_load = median_cpu(lambda: first_load(text_settings), args.repeat)
        bare_text = bare_duckdb(text, args.repeat)
        console.print(f"a run with {REJECTED:,} of the events rejected …")
        broken = events_program(work / "big", work / "events-rejected", EVENTS, rejected=REJECTED)
        rejecting = median_run(cli_command(config, broken.parent, work / "cli-rejected"), 1)
        console.print(f"timing a backfill of {BACKFILL_FIRST}..{MONTH} against one of {MONTH} (demo) …")
        months = Month.parse(MONTH) - Month.parse(BACKFILL_FIRST) + 1
        backfills = {first: median_run(backfill_command(config, first, work / f"backfill-{first}"), args.repeat)
                     for first in (BACKFILL_FIRST, MONTH)}

    table = Table(title=f"retropack benchmark, median of {args.repeat} (seconds)")
    table.add_column("stage")
    for label in results:
        table.add_column(label, justify="right")
    for stage in results["demo"]:
        table.add_row(stage, *(f"{results[label][stage]:.3f}" for label in results))
    table.add_row("bare Prefect flow (fresh process)", *(f"{bare:.3f}" for _ in results))
    table.add_row("flow call − bare flow", *(f"{results[label]['whole flow run (fresh process)'] - bare:.3f}"
                                             for label in results))
    table.add_row("retropack run − bare flow", *(f"{results[label]['retropack run (fresh process)'] - bare:.3f}"
                                                 for label in results))
    table.add_row("CPU seconds of retropack run, all processes", *(f"{runs[label].cpu:.3f}" for label in results))
    table.add_row("peak memory of retropack run, all processes (MB)",
                  *(f"{runs[label].peak_mb:.0f}" for label in results))
    console.print(table)
    console.print(events_table(size, bare_events, loads, runs, text_load, bare_text, rejecting))
    console.print(backfill_table(backfills, months, results["demo"]))
    console.print(startup_table(args.repeat))
    console.print(f"machine reference: a 10-million-step Python loop takes {cpu_reference():.2f} s here")


def events_table(size: float, bare: tuple[float, float], loads: dict[str, tuple[float, float]],
                 runs: dict[str, Run], text_load: tuple[float, float], bare_text: tuple[float, float],
                 rejecting: Run) -> Table:
    """The events' cost (the 10× program with them minus without) beside the bare DuckDB count, wall and CPU."""
    table = Table(title=f"{EVENTS:,} e-mail events in {MONTH} ({size:.0f} MB Parquet); targets: cost ≤ 1.5 × bare "
                        "DuckDB + 1 s, peak ≤ 1.5 GB")
    for column in ("", "seconds", "target", "CPU seconds", "CPU ÷ bare's"):
        table.add_column(column, justify="left" if not column else "right")
    with_events, without = "10× + 10M events", "10× program"

    def row(name: str, wall: float, cpu: float, reference: tuple[float, float]) -> None:
        table.add_row(name, f"{wall:.3f}", f"{1.5 * reference[0] + 1:.3f}", f"{cpu:.3f}", f"{cpu / reference[1]:.2f}")

    table.add_row("bare DuckDB: distinct leads per send and event", f"{bare[0]:.3f}", "", f"{bare[1]:.3f}", "")
    row("events' cost in load + validate", loads[with_events][0] - loads[without][0],
        loads[with_events][1] - loads[without][1], bare)
    row("events' cost in retropack run", runs[with_events].seconds - runs[without].seconds,
        runs[with_events].cpu - runs[without].cpu, bare)
    table.add_row("peak memory of that run, all processes (MB)", f"{runs[with_events].peak_mb:.0f}", "1536", "", "")
    table.add_row("the same events with ISO text times: bare DuckDB", f"{bare_text[0]:.3f}", "", f"{bare_text[1]:.3f}",
                  "")
    row("… their cost in load + validate", text_load[0] - loads[without][0], text_load[1] - loads[without][1],
        bare_text)
    table.add_row(f"retropack run with {REJECTED:,} of the events rejected, once", f"{rejecting.seconds:.3f}", "",
                  f"{rejecting.cpu:.3f}", "")
    table.add_row("… its peak memory, all processes (MB)", f"{rejecting.peak_mb:.0f}", "1536", "", "")
    return table


def backfill_table(backfills: dict[str, Run], months: int, demo: dict[str, float]) -> Table:
    """A backfill's cost per client-month (the months it adds to a one-month backfill) beside that month's stages."""
    per_month = (backfills[BACKFILL_FIRST].seconds - backfills[MONTH].seconds) / (months - 1)
    per_month_cpu = (backfills[BACKFILL_FIRST].cpu - backfills[MONTH].cpu) / (months - 1)
    own = demo["load + validate"] + demo["KPIs + analysis"] + demo["view model"] + demo["render (charts + PDF + PPTX)"]
    table = Table(title="backfill of the demo, fresh process; target: per client-month ≤ 1.2 × its stages")
    for column in ("", "seconds", "CPU seconds", "target"):
        table.add_column(column, justify="left" if not column else "right")
    for first, run in backfills.items():
        table.add_row(f"{first}..{MONTH}", f"{run.seconds:.3f}", f"{run.cpu:.3f}", "")
    table.add_row("per client-month (the difference ÷ the months added)", f"{per_month:.3f}", f"{per_month_cpu:.3f}",
                  f"{1.2 * own:.3f}")
    table.add_row("sum of that month's stages (load, KPIs, view, render)", f"{own:.3f}", "", "")
    return table


if __name__ == "__main__":
    main()
