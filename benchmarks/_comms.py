"""Count what widgets would send to the frontend: a comm stub that records every message.

ipywidgets opens each model's comm with ``comm.create_comm(...)``; outside a kernel that makes
a ``DummyComm``. :func:`counting_comms` swaps in :class:`CountingComm`, which records the
message type, the comm (= widget model) id, the time and the JSON size of the payload
(``data`` + binary buffers; the Jupyter message envelope, ~0.5 KiB per message, is not counted).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Optional

import comm
from comm.base_comm import BaseComm


@dataclass(frozen=True)
class Message:
    t: float
    comm_id: str
    msg_type: str
    nbytes: int


class Recorder:
    """Every message published by counting comms, in order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[Message] = []

    def add(self, comm_id: str, msg_type: str, data: Any, buffers: Any) -> None:
        size = len(json.dumps(data, separators=(",", ":"), default=str))
        size += sum(len(memoryview(b)) for b in buffers or ())
        with self._lock:
            self.messages.append(Message(time.monotonic(), comm_id, msg_type, size))

    def clear(self) -> None:
        with self._lock:
            self.messages = []

    def snapshot(self, since: Optional[float] = None) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if since is None or m.t >= since]


RECORDER = Recorder()


class CountingComm(BaseComm):
    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        RECORDER.add(self.comm_id, msg_type, data, buffers)


@contextmanager
def counting_comms() -> Iterator[Recorder]:
    """Widgets created inside the block get counting comms; yields the recorder (cleared)."""
    original = comm.create_comm

    def create(*args: Any, **kwargs: Any) -> BaseComm:
        return CountingComm(*args, **kwargs)

    comm.create_comm = create
    RECORDER.clear()
    try:
        yield RECORDER
    finally:
        comm.create_comm = original


def live_widget_count() -> int:
    """Widget models alive now (ipywidgets 8 keeps them in ``widget._instances``)."""
    from ipywidgets.widgets import widget

    instances = getattr(widget, "_instances", None)
    if instances is None:  # ipywidgets 7
        instances = widget.Widget.widgets
    return len(instances)


def close_all_widgets() -> None:
    """Close every live widget (so the next measurement starts from zero models)."""
    from ipywidgets.widgets import widget

    instances = getattr(widget, "_instances", None)
    if instances is None:  # ipywidgets 7
        instances = widget.Widget.widgets
    for w in list(instances.values()):
        w.close()
