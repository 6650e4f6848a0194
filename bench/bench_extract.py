"""Extraction accuracy and speed per variant and style on generated sets (BENCH_EXTRACT_DOCS each, default 30;
BENCH_EXTRACT_STYLES=a,b to measure only those styles).

Wall seconds depend on what else the machine runs; CPU seconds (this process and its Tesseract children) do not,
so both are printed: on a loaded machine the CPU figure is the one that says what reading a file costs.
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from fixtures.certgen import BENCH_CASES, generate
from integration.extraction import extract
from integration.extraction.scoring import Score, score

FIRST_SEED = 5000  # away from the seeds the tests use


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _cpu_seconds() -> float:
    """User and system CPU seconds of this process and its finished children (Tesseract runs as a child)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_extract() -> Iterator[dict]:
    """Generate, read and score each variant and style; one figures dict per case."""
    count = int(os.environ.get("BENCH_EXTRACT_DOCS", "30"))
    styles = set(filter(None, os.environ.get("BENCH_EXTRACT_STYLES", "").split(",")))
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        for case, (variant, options) in BENCH_CASES.items():
            if styles and case not in styles:
                continue
            total, reviews, seconds, cpu = Score(), 0, [], []
            for seed in range(FIRST_SEED, FIRST_SEED + count):
                made = generate(seed, variant, endorsements=seed % 3, **options)
                path = Path(tmp) / made.filename
                path.write_bytes(made.data)
                started, cpu_started = time.perf_counter(), _cpu_seconds()
                got = extract(path).to_dict()
                seconds.append(time.perf_counter() - started)
                cpu.append(_cpu_seconds() - cpu_started)
                total.add(score(got, made.truth))
                reviews += got["needs_review"]
            # silent_misreads must stay 0: a wrong value not flagged for review.
            yield {"variant": variant, "style": case, "documents": count, "fields_correct": total.correct,
                   "fields_total": total.total, "accuracy": round(total.accuracy, 4),
                   "wrong_but_flagged": len(total.flagged), "silent_misreads": len(total.silent),
                   "needs_review": reviews, "p50_s": round(statistics.median(seconds), 3),
                   "p95_s": round(_percentile(seconds, 0.95), 3), "p50_cpu_s": round(statistics.median(cpu), 3),
                   "p95_cpu_s": round(_percentile(cpu, 0.95), 3)}


BENCHMARKS = [("extract", bench_extract)]
