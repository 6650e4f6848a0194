"""Tesseract, loaded once per thread and kept: a scan is read in about ten short calls, and starting the program
for each (loading its model, writing the image to a file) cost more than the reading itself.

The trained data is the system's (Debian's tesseract-ocr-eng); TESSDATA_PREFIX points elsewhere if set.
"""

from __future__ import annotations

import glob
import os
import threading
from functools import cache

import tesserocr
from PIL import Image

Word = tuple[str, float, int, int, int, int]  # text, confidence 0-1, left, top, right, bottom
SOURCE_PPI = 96  # the resolution Tesseract assumes for our crops (as a PIL-written BMP declares it)
_local = threading.local()


class OcrTimeout(RuntimeError):
    """One call ran past its time limit."""


@cache
def tessdata() -> str:
    """The folder holding eng.traineddata."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    found = sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    return found[0] if found else "/usr/share/tessdata"


def _api() -> tesserocr.PyTessBaseAPI:
    api = getattr(_local, "api", None)
    if api is None:
        api = _local.api = tesserocr.PyTessBaseAPI(path=tessdata(), lang="eng")
    return api


def _options(config: str) -> tuple[int, dict[str, str]]:
    """`--psm N -c name=value ...` (the command line's spelling) as a page segmentation mode and variables."""
    parts, psm, variables = config.split(), tesserocr.PSM.SINGLE_BLOCK, {}
    for flag, value in zip(parts, parts[1:], strict=False):
        if flag == "--psm":
            psm = int(value)
        elif flag == "-c":
            name, _, setting = value.partition("=")
            variables[name] = setting
    return psm, variables


def words(image: Image.Image, config: str, timeout: float) -> list[Word]:
    """The words Tesseract reads on `image` with `config`; OcrTimeout past `timeout` seconds."""
    api = _api()
    psm, variables = _options(config)
    api.SetPageSegMode(psm)
    api.SetVariable("tessedit_char_whitelist", variables.pop("tessedit_char_whitelist", ""))
    for name, value in variables.items():
        api.SetVariable(name, value)
    api.SetImage(image)
    api.SetSourceResolution(SOURCE_PPI)
    if not api.Recognize(timeout=max(1, int(timeout * 1000))):
        api.Clear()
        raise OcrTimeout(f"OCR took longer than {timeout:g} s")
    found: list[Word] = []
    level = tesserocr.RIL.WORD
    iterator = api.GetIterator()
    for word in tesserocr.iterate_level(iterator, level) if iterator is not None else ():
        try:
            text = word.GetUTF8Text(level).strip()
        except RuntimeError:  # an empty word: the binding says so by raising
            continue
        box = word.BoundingBox(level)
        if text and box:
            found.append((text, max(word.Confidence(level), 0.0) / 100, *box))
    api.Clear()
    return found
