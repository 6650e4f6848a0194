"""The system's Tesseract program, started once for many images: loading its model costs about 0.2 s of CPU a start,
more than reading a sheet of cells takes.

A call is a list of jobs, each some images read with one configuration: a job's images go to one run of the program
as a list of files (each read as its own page, exactly as if run alone), and the jobs run side by side, at most one
per core. The program, not a library in the process, so that its version is the system's one the reader was tuned on.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Sequence

from PIL import Image

# Tesseract's OpenMP threads spin-wait; on a small shared machine they triple the wall time of these short calls.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
COMMAND = "tesseract"
Word = tuple[str, float, int, int, int, int]  # text, confidence 0-1, left, top, right, bottom
Job = tuple[Sequence[Image.Image], str]  # images, command-line configuration ("--psm 6 -c name=value")


class OcrTimeout(RuntimeError):
    """A call ran past its time limit; its programs were stopped."""


class OcrFailed(RuntimeError):
    """The program refused an image or a configuration."""


def read(jobs: Sequence[Job], timeout: float) -> list[list[list[Word]]]:
    """Per job, per image, the words read: the jobs run side by side, all within `timeout` seconds."""
    results: list[list[list[Word]]] = [[[] for _ in images] for images, _ in jobs]
    with tempfile.TemporaryDirectory(prefix="gapline-ocr-") as folder:
        pending = [(n, _command(folder, n, images, config)) for n, (images, config) in enumerate(jobs) if images]
        deadline = time.monotonic() + timeout
        running: list[tuple[int, subprocess.Popen]] = []
        try:
            while pending or running:
                while pending and len(running) < _cores():
                    n, command = pending.pop(0)
                    running.append((n, subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                        stderr=subprocess.PIPE)))
                n, process = running[0]
                try:
                    _, errors = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired as exc:
                    raise OcrTimeout(f"OCR took longer than {timeout:g} s") from exc
                running.pop(0)
                if process.returncode:
                    raise OcrFailed(errors.decode("utf-8", "replace").strip()[-500:])
                results[n] = _words(os.path.join(folder, f"{n}.tsv"), len(jobs[n][0]))
        finally:
            for _, process in running:  # stopped by a timeout or a failure beside them
                process.kill()
                process.communicate()
    return results


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _command(folder: str, n: int, images: Sequence[Image.Image], config: str) -> list[str]:
    """The command line of job `n`, its images written as BMP (uncompressed: encoding costs more than it saves)."""
    paths = []
    for i, image in enumerate(images):
        paths.append(os.path.join(folder, f"{n}-{i}.bmp"))
        image.save(paths[-1], format="BMP")
    source = paths[0]
    if len(paths) > 1:  # a text file naming images: the program reads each as a page of its own
        source = os.path.join(folder, f"{n}.txt")
        with open(source, "w", encoding="utf-8") as listing:
            listing.write("\n".join(paths) + "\n")
    return [COMMAND, source, os.path.join(folder, str(n)), "-c", "tessedit_create_tsv=1", *shlex.split(config)]


def _words(path: str, pages: int) -> list[list[Word]]:
    """The words of a TSV output, per page; confidences are whole percents, as the program's earlier wrapper gave."""
    found: list[list[Word]] = [[] for _ in range(pages)]
    with open(path, encoding="utf-8") as tsv:
        next(tsv, None)  # the header
        for row in tsv:
            cells = row.rstrip("\n").split("\t")
            if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
                continue
            left, top, width, height = (int(cells[i]) for i in (6, 7, 8, 9))
            confidence = max(float(int(float(cells[10]))), 0.0) / 100
            found[int(cells[1]) - 1].append((cells[11].strip(), confidence, left, top, left + width, top + height))
    return found
