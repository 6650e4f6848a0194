"""Run Gapline's benchmarks: one JSON line per result, also appended to bench/results.jsonl.

Each module ``bench/bench_*.py`` exposes ``BENCHMARKS``: a list of ``(name, function)``
pairs. A function takes no arguments and yields one or more dicts of figures; the runner
prints each as ``{"bench": name, ...figures}``. ``--only PREFIX`` keeps the benchmarks whose
name starts with PREFIX.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.jsonl"

Benchmark = tuple[str, Callable[[], Iterable[dict]]]


def discover() -> list[Benchmark]:
    """Load every bench/bench_*.py module and collect its BENCHMARKS."""
    found: list[Benchmark] = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.extend(getattr(module, "BENCHMARKS", []))
    return found


def run(only: str = "") -> int:
    """Run the selected benchmarks; return how many result lines were printed."""
    selected = [(name, fn) for name, fn in discover() if name.startswith(only)]
    if not selected:
        print(f"no benchmark name starts with {only!r}", file=sys.stderr)
        return 0
    printed = 0
    with RESULTS.open("a", encoding="utf-8") as log:
        for name, fn in selected:
            for figures in fn():
                line = json.dumps({"bench": name, **figures}, sort_keys=False)
                print(line, flush=True)
                log.write(line + "\n")
                printed += 1
    return printed


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python bench/run.py [--only PREFIX]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="run only benchmarks whose name starts with this")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR.parent))
    return 0 if run(args.only) else 1


if __name__ == "__main__":
    raise SystemExit(main())
