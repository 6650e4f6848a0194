"""Extraction accuracy and speed per variant on a random generated set (BENCH_EXTRACT_DOCS per variant, default 30)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from fixtures.certgen import VARIANTS, generate
from fixtures.certgen.compare import confidence_of, score
from integration.extraction import extract
from integration.extraction.assemble import REVIEW_BELOW

FIRST_SEED = 5000  # away from the seeds the tests use


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_extract() -> Iterator[dict]:
    """Generate, read and score each variant; one figures dict per variant."""
    count = int(os.environ.get("BENCH_EXTRACT_DOCS", "30"))
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        for variant in VARIANTS:
            correct = total = confident_wrong = reviews = 0
            seconds: list[float] = []
            for seed in range(FIRST_SEED, FIRST_SEED + count):
                made = generate(seed, variant, endorsements=seed % 3)
                path = Path(tmp) / made.filename
                path.write_bytes(made.data)
                started = time.perf_counter()
                got = extract(path).to_dict()
                seconds.append(time.perf_counter() - started)
                right, fields, wrong = score(got, made.truth)
                correct, total, reviews = correct + right, total + fields, reviews + got["needs_review"]
                # The number that must stay 0: a wrong value reported with confidence enough to skip review.
                confident_wrong += sum(1 for path, value, _ in wrong
                                       if value is not None and confidence_of(got, path) >= REVIEW_BELOW)
            yield {"variant": variant, "documents": count, "fields_correct": correct, "fields_total": total,
                   "accuracy": round(correct / max(total, 1), 4), "confident_wrong": confident_wrong,
                   "needs_review": reviews, "p50_s": round(statistics.median(seconds), 3),
                   "p95_s": round(_percentile(seconds, 0.95), 3)}


BENCHMARKS = [("extract", bench_extract)]
