"""Model ids for the widgets a list makes, without a system call for each.

ipywidgets names a widget's comm with ``uuid.uuid4()`` unless it is given ``model_id``. Each
``uuid4`` reads ``os.urandom``: a system call that lets another thread take the GIL, and waiting
to get it back while a list's listing threads run turned building a list (about 130 models) into
a convoy. These ids are uuid4-shaped, drawn from a generator seeded once from ``os.urandom``
(and again in a forked child), so they are as unlikely to collide; they name models, they are no
secret.
"""

from __future__ import annotations

import os
import random
import uuid

__all__ = ["new_model_id"]

_random = random.Random(os.urandom(32))


def _reseed() -> None:
    _random.seed(os.urandom(32))


if hasattr(os, "register_at_fork"):  # a forked kernel must not repeat its parent's ids
    os.register_at_fork(after_in_child=_reseed)


def new_model_id() -> str:
    """A fresh random (version 4) UUID as 32 hex digits, the form ipywidgets uses."""
    return uuid.UUID(int=_random.getrandbits(128), version=4).hex
