"""Widget model ids: a list names its models itself, without ``uuid.uuid4`` (an ``os.urandom``
system call that hands the GIL to the list's listing threads, one per model), and the names stay
unique: across every model of several lists, and between a forked child and its parent."""

from __future__ import annotations

import os
import re
import threading
import traceback
import uuid
from typing import Any, Callable

import pytest

from modelarts_widgets.widgets import JobVersionList, TrainingJobList
from modelarts_widgets.widgets._model_ids import new_model_id

UUID4_HEX = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")


def test_a_model_id_is_a_version_4_uuid_in_the_form_ipywidgets_uses() -> None:
    ids = [new_model_id() for _ in range(2000)]
    assert all(UUID4_HEX.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert uuid.UUID(ids[0]).version == 4


def test_building_and_listing_a_list_asks_uuid4_for_no_model_id(
    make_widget: Callable[..., Any], registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted where ipywidgets would ask it for a comm id (the in-process emulator names its
    requests with uuid4 too); the rows are made on the list's own threads."""
    asked: list[str] = []
    real = uuid.uuid4

    def counting_uuid4() -> uuid.UUID:
        callers = [frame.filename for frame in traceback.extract_stack()]
        if any("ipywidgets" in f or f"{os.sep}comm{os.sep}" in f for f in callers):
            asked.append(threading.current_thread().name)
        return real()

    before = set(registry)
    monkeypatch.setattr(uuid, "uuid4", counting_uuid4)
    w = make_widget(JobVersionList, page_size=5)
    monkeypatch.setattr(uuid, "uuid4", real)
    made = set(registry) - before
    assert len(made) >= 60  # the frame, its layouts and styles, a page of rows
    assert asked == []
    assert w.model_id in made
    assert all(UUID4_HEX.match(model_id) for model_id in made)


def test_the_models_of_several_lists_all_have_distinct_ids(
    make_widget: Callable[..., Any], registry: dict[str, Any]
) -> None:
    before = set(registry)
    lists = [make_widget(cls, page_size=5) for cls in (JobVersionList, TrainingJobList) * 2]
    made = set(registry) - before
    # the registry is keyed by model id: a repeated id would have replaced a model
    ids = [registry[i].model_id for i in made]
    assert len(ids) == len(set(ids))
    assert all(w.model_id in made for w in lists)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its next ids and leave at once
        try:
            os.write(write_end, " ".join(new_model_id() for _ in range(50)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        child_ids = set(pipe.read().decode().split())
    os.waitpid(pid, 0)
    parent_ids = {new_model_id() for _ in range(50)}
    assert len(child_ids) == 50
    assert not child_ids & parent_ids
