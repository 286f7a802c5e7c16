"""Time each stage of a run and the whole Prefect flow, on the demo and on a 10× larger program.

Usage: ``make bench`` (or ``python bench/benchmark.py [--repeat N]``). Prints a table of median
seconds; the figures go into the issue notes. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from retropack.config import load_config
from retropack.flow import steps
from retropack.months import Month
from retropack.operations.demo_data import generate
from retropack.render.charts import draw_charts
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf

ROOT = Path(__file__).resolve().parents[1]

MONTH = "2026-10"
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
    timings["load + validate"], dataset = median_time(lambda: steps.load(loaded.settings), repeat)
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


def process_time(code: str, repeat: int) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)

    return median_time(run, repeat)[0]


def cli_time(config: Path, data: Path | None, out: Path, repeat: int) -> float:
    command = [str(Path(sys.executable).with_name("retropack")), "run", "--config", str(config), "--month", MONTH,
               "--out", str(out), "--no-deliver", *(["--data", str(data)] if data else [])]
    return median_time(lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True), repeat)[0]


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
    with tempfile.TemporaryDirectory(prefix="retropack-bench-") as tmp:
        work = Path(tmp)
        big = work / "big"
        console.print("generating the 10× program …")
        gen_time, rows = median_time(lambda: generate(big, scale=10.0), 1)
        console.print(f"  {gen_time:.2f} s: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
        results = {}
        for label, data in (("demo", None), ("10× program", big)):
            console.print(f"timing stages on the {label} …")
            (work / label).mkdir()
            results[label] = stages(config, data, args.repeat, work / label)
            console.print(f"timing the whole flow on the {label} …")
            results[label]["whole flow run (fresh process)"] = process_time(
                flow_code(config, data, work / f"out-{label}"), args.repeat)
            results[label]["retropack run (fresh process)"] = cli_time(config, data, work / f"cli-{label}",
                                                                      args.repeat)
        console.print("timing a bare Prefect flow (fresh process) …")
        bare = process_time(BARE_FLOW, args.repeat)

    table = Table(title=f"retropack benchmark, median of {args.repeat} (seconds)")
    table.add_column("stage")
    for label in results:
        table.add_column(label, justify="right")
    for stage in results["demo"]:
        table.add_row(stage, *(f"{results[label][stage]:.3f}" for label in results))
    table.add_row("bare Prefect flow (fresh process)", f"{bare:.3f}", f"{bare:.3f}")
    table.add_row("flow call − bare flow", *(f"{results[label]['whole flow run (fresh process)'] - bare:.3f}"
                                             for label in results))
    table.add_row("retropack run − bare flow", *(f"{results[label]['retropack run (fresh process)'] - bare:.3f}"
                                                 for label in results))
    console.print(table)
    console.print(f"machine reference: a 10-million-step Python loop takes {cpu_reference():.2f} s here")


if __name__ == "__main__":
    main()
