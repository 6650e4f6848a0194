"""Gunicorn's settings for Gapline's web process (the Procfile's ``web``; gunicorn reads this file by name)."""

from __future__ import annotations

import gc


def post_worker_init(worker) -> None:
    """Once a worker has built the app, the objects that made it (modules, the routes, the models, the templates)
    live as long as the worker: the garbage collector stops walking them (``gc.freeze``), so its full collections
    look only at what requests made, instead of pausing a request now and then to walk the whole app."""
    gc.freeze()
