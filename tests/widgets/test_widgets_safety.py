"""Hard rules: escaped server strings, no secrets in widget state, bounded widget count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from listpage import page

from modelarts_widgets.widgets import MAX_PAGE_SIZE, JobVersionList, VisualizationJobList

HOSTILE = "<img src=x onerror=alert(1)>"


def test_hostile_names_are_escaped_everywhere(make_widget: Any, emulator: Any) -> None:
    job_id, (vid,) = emulator.add_training_job(
        HOSTILE,
        versions=[
            {
                "version_name": HOSTILE,
                "engine_name": HOSTILE,
                "train_url": "/bucket/evil/out/",
            }
        ],
    )
    emulator.add_visualization_job(HOSTILE, status=8, train_url="/bucket/evil/out/")
    emulator.force_error(
        400,
        body={"error_code": HOSTILE, "error_msg": HOSTILE},
        path=emulator.version_path(job_id, vid),
        method="DELETE",
    )
    w = make_widget(JobVersionList)
    w.set_filter(text="onerror")
    assert w.n_matching == 1
    w.select(all_matching=True)
    w.request_delete()
    assert "visualization job &lt;img" in page(w).panel_message.value
    html = page(w).all_html()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    w.confirm()
    assert w.wait(30)
    assert w.last_result[0]["outcome"] == "failed"
    assert w.last_result[0]["error_msg"] == HOSTILE  # the record keeps the raw words
    html = page(w).all_html()
    assert "failed: &lt;img" in html
    assert "<img" not in html

    vis = make_widget(VisualizationJobList)
    vis.set_filter(text="onerror")
    vis.select(all_matching=True)
    vis.request_delete()
    html = page(vis).all_html()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html


def test_no_secret_in_any_trait_or_widget_state(
    make_widget: Any, emulator: Any, registry: dict[str, Any]
) -> None:
    before = set(registry)
    lists = [make_widget(JobVersionList), make_widget(VisualizationJobList)]
    for w in lists:
        w.select(all_matching=True)
        w.request_delete()
    created = [registry[k] for k in set(registry) - before]
    assert len(created) > 100
    secrets = (emulator.config.access_key, emulator.config.secret_key)
    for widget in created:
        state = json.dumps(widget.get_state(), default=str)
        values = " ".join(str(getattr(widget, name)) for name in widget.trait_names())
        for secret in secrets:
            assert secret not in state
            assert secret not in values
    for w in lists:
        assert all(s not in repr(w) and s not in str(w._repr_mimebundle_()) for s in secrets)


def _growth(registry: dict[str, Any], make: Any) -> int:
    before = len(registry)
    w = make()
    grown = len(registry) - before
    w.set_filter(text="a")
    w.sort("created", descending=False)
    w.select(all_matching=True)
    w.next_page()
    assert len(registry) - before == grown  # paging/filter/sort/select create no widgets
    w.request_delete()  # the confirmation panel: made once, when it first opens
    grown = len(registry) - before
    w.cancel()
    w.request_delete()
    assert len(registry) - before == grown
    return grown


def test_widget_count_does_not_grow_with_items(
    make_widget: Any, emulator: Any, registry: dict[str, Any]
) -> None:
    emulator.seed(jobs=2, versions_per_job=5, visualization_jobs=10)
    small_versions = _growth(registry, lambda: make_widget(JobVersionList))
    small_vis = _growth(registry, lambda: make_widget(VisualizationJobList))
    emulator.seed(jobs=100, versions_per_job=100, visualization_jobs=10_000)
    big_versions = _growth(registry, lambda: make_widget(JobVersionList))
    big_vis = _growth(registry, lambda: make_widget(VisualizationJobList))
    # a short list makes rows for what it shows (a page's worth made ahead while loading, or
    # fewer when its answer comes first); a long one never more than a page's, 64 + 3 x 20
    assert small_versions <= big_versions <= 124
    assert small_vis <= big_vis <= 124
    for w in make_widget.made[-2:]:
        assert w.n_items == 10_000


def test_close_releases_every_widget_it_made(make_widget: Any, registry: dict[str, Any]) -> None:
    before = set(registry)
    w = make_widget(JobVersionList)
    assert len(set(registry) - before) > 50
    w.close()
    assert set(registry) - before == set()


@pytest.mark.parametrize("bad", [0, -1, MAX_PAGE_SIZE + 1, 10_000, 2.5, "20", True, None])
def test_page_size_is_capped_with_a_clear_error(bad: Any, registry: dict[str, Any]) -> None:
    before = len(registry)
    with pytest.raises(
        ValueError, match=f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}"
    ):
        JobVersionList(page_size=bad)
    assert len(registry) == before  # refused before any widget model is made


def test_the_largest_page_size_is_accepted(make_widget: Any, emulator: Any) -> None:
    for n in range(MAX_PAGE_SIZE):
        emulator.add_visualization_job(f"many-{n}", status=10)
    w = make_widget(VisualizationJobList, page_size=MAX_PAGE_SIZE)
    assert len(page(w).rows) == MAX_PAGE_SIZE == 100
    assert w.n_items > 100
