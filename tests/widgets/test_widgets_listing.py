"""List widgets against the live emulator: listing, filter, sort, paging, selection, display."""

from __future__ import annotations

from typing import Any

import pytest
from listpage import css_classes, page
from sessions import fast_session

from modelarts_widgets.models import ACTIVE_STATUSES
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList


def test_version_list_lists_every_version_with_no_arguments(make_widget: Any) -> None:
    w = make_widget(JobVersionList)
    assert w.error == ""
    assert w.n_items == 9
    assert w.n_matching == 9
    assert (w.page, w.n_pages) == (1, 1)
    assert {v.job_name for v in w.items} == {"image classifier", "résumé classifier", "模型训练"}
    assert w.status_message == "Listed 9 training job versions."
    row = page(w).cells[0].value
    first = w.visible_items[0]
    assert first.version_name in row
    assert "maw-badge" in row
    assert first.status_label in row
    assert "mw-row" in css_classes(page(w).rows[0])


def test_version_list_of_one_job(make_widget: Any, api: Any) -> None:
    job_id = next(iter(api.iter_training_jobs())).job_id
    w = make_widget(JobVersionList, job_id=job_id)
    assert w.n_items == 3
    assert {v.job_id for v in w.items} == {job_id}


def test_visualization_list_lists_jobs_with_safe_links(make_widget: Any) -> None:
    w = make_widget(VisualizationJobList)
    assert w.n_items == 4
    html = "".join(c.value for c in page(w).cells[: w.n_items])
    assert html.count('target="_blank"') == 4
    assert html.count('rel="noopener noreferrer"') == 4
    assert "/tensorboard/" in html
    assert "/bucket/" in html  # train URL column
    assert {"modelarts-widgets", "mw-vis-list"} <= set(css_classes(w))


def test_filter_by_text_and_status(make_widget: Any) -> None:
    w = make_widget(JobVersionList)
    w.set_filter(text="IMAGE")
    assert w.n_matching == 3
    assert all(v.job_name == "image classifier" for v in w.visible_items)
    w.set_filter(text="", status="active")
    assert w.n_matching == sum(1 for v in w.items if v.status in ACTIVE_STATUSES)
    assert all(v.status in ACTIVE_STATUSES for v in w.visible_items)
    w.set_filter(text="no such thing")
    assert "nothing matches the filter" in page(w).selection_label.value
    assert w.visible_items == []
    w.set_filter(text="", status=10)
    assert w.n_matching == sum(1 for v in w.items if v.status == 10) > 0
    # the same through the controls, as a user would type
    page(w).status_filter.value = "all"
    page(w).search.value = "v0002"
    assert w.n_matching == 3
    with pytest.raises(ValueError, match="unknown status filter"):
        w.set_filter(status="sleeping")


def test_select_all_matching_states_its_scope(make_widget: Any) -> None:
    w = make_widget(JobVersionList, page_size=2)
    w.set_filter(text="classifier")
    assert w.n_matching == 6
    w.select(all_matching=True)
    assert w.n_selected == 6  # not just the 2 rows on the page
    assert len(w.selected) == 6
    assert "6 selected · 6 match" in page(w).selection_label.value
    assert page(w).select_all.description == "select all 6"
    w.set_filter(text="模型")
    assert "6 selected (6 hidden by the filter) · 3 match" in page(w).selection_label.value
    w.clear_selection()
    assert w.selected == []
    assert page(w).delete.disabled


def test_paging_keeps_the_selection(make_widget: Any) -> None:
    w = make_widget(JobVersionList, page_size=2)
    assert (w.page, w.n_pages) == (1, 5)
    assert page(w).prev.disabled
    assert not page(w).next.disabled
    page(w).select_page.click()
    page1 = [v.key for v in w.visible_items]
    assert w.selected == page1
    w.next_page()
    assert w.page == 2
    assert "page 2 of 5" in page(w).page_label.value
    assert not any(c.value for c in page(w).checks)  # page 2 rows start unticked
    page(w).checks[1].value = True  # tick a row as a user would
    picked = w.visible_items[1].key
    assert w.selected == [*page1, picked]
    w.go_to_page(99)
    assert w.page == 5
    assert len(w.visible_items) == 1
    w.prev_page()
    w.prev_page()
    w.prev_page()
    assert w.page == 2
    assert page(w).checks[1].value
    assert not page(w).checks[0].value
    w.go_to_page(1)
    assert all(c.value for c in page(w).checks[:2])


def test_sort_by_column(make_widget: Any) -> None:
    w = make_widget(JobVersionList)
    w.sort("version", descending=False)
    ids = [v.version_id for v in w.visible_items]
    assert ids == sorted(ids)
    w.sort("job", descending=True)
    names = [v.job_name.casefold() for v in w.visible_items]
    assert names == sorted(names, reverse=True)
    page(w).descending.value = False  # the asc/desc toggle
    assert [v.job_name.casefold() for v in w.visible_items] == sorted(names)
    page(w).sort.value = "created"
    created = [v.create_time for v in w.visible_items]
    assert created == sorted(created)
    with pytest.raises(ValueError, match="unknown column"):
        w.sort("colour")


def test_selected_trait_is_settable_and_survives_refresh(make_widget: Any, api: Any) -> None:
    w = make_widget(JobVersionList)
    keys = [v.key for v in w.visible_items[:3]]
    w.selected = [list(keys[0]), keys[1], (1, 2), "junk"]  # lists accepted, unknown dropped
    assert w.selected == keys[:2]
    assert [c.value for c in page(w).checks[:3]] == [True, True, False]
    w.select(keys=[keys[2]])
    w.sort("version", descending=False)
    w.refresh()
    assert w.wait(60)
    assert w.selected == keys  # sort and refresh never re-target
    api.delete_job_version(*keys[1])  # goes away outside the widget
    w.refresh()
    assert w.wait(60)
    assert w.selected == [keys[0], keys[2]]
    assert w.n_items == 8


def test_refresh_puts_a_new_job_where_the_job_list_does(
    make_widget: Any, api: Any, emulator_env: Any
) -> None:
    w = make_widget(JobVersionList)
    emulator_env.backend.add_training_job("newest", [{}, {}])  # created outside the widget
    jobs = [j.job_id for j in api.iter_training_jobs()]  # newest first
    w.refresh()
    assert w.wait(60)
    assert w.n_items == 11
    assert list(dict.fromkeys(v.job_id for v in w.items)) == jobs  # as a new list has them
    fresh = make_widget(JobVersionList)
    assert [v.key for v in fresh.items] == [v.key for v in w.items]


def test_without_credentials_the_error_shows_inside_the_widget(monkeypatch: Any) -> None:
    w = JobVersionList()  # no env, no session: must not raise
    try:
        assert w.wait(60)
        assert w.error.startswith("Could not connect to ModelArts:")
        assert "HUAWEICLOUD_SDK_AK" in w.error  # the actionable part of the message
        assert "mw-error-text" in page(w).error.value
        assert w.n_items == 0
        assert "Could not connect" in w._repr_mimebundle_()["text/html"]
    finally:
        w.close()


def test_refresh_retries_after_the_credentials_appear(emulator: Any, monkeypatch: Any) -> None:
    w = VisualizationJobList()
    try:
        assert w.wait(60)
        assert w.error
        monkeypatch.setenv("HUAWEICLOUD_SDK_AK", emulator.config.access_key)
        monkeypatch.setenv("HUAWEICLOUD_SDK_SK", emulator.config.secret_key)
        monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emulator.config.project_id)
        monkeypatch.setenv("MODELARTS_ENDPOINT", emulator.base_url)
        page(w).refresh.click()
        assert w.wait(60)
        assert w.error == ""
        assert w.n_items == 4
    finally:
        w.close()


def test_mimebundle_has_text_html_and_the_widget_view(make_widget: Any) -> None:
    w = make_widget(JobVersionList)
    w.select(page=True)
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"] == "JobVersionList: 9 versions, 9 selected"
    assert "<table>" in bundle["text/html"]
    assert "mw-snapshot" in bundle["text/html"]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    assert repr(w) == "<JobVersionList: 9 versions, 9 selected>"


def test_stable_css_classes_for_browser_tests(make_widget: Any) -> None:
    w = make_widget(JobVersionList)
    assert {"modelarts-widgets", "mw-version-list"} <= set(css_classes(w))
    w.select(all_matching=True)
    w.request_delete()  # the confirmation panel is made when it first opens
    for css in ("mw-delete", "mw-confirm", "mw-confirm-count", "mw-confirm-panel", "mw-search"):
        assert css in css_classes(page(w).find(css))


def test_rate_limit_waits_show_in_the_status_line(make_widget: Any, emulator: Any) -> None:
    w = make_widget(VisualizationJobList, fast_session())
    seen: list[str] = []
    w.observe(lambda ch: seen.append(ch["new"]), names="status_message")
    emulator.throttle(1, retry_after=1, path=r".*/visualization-jobs$", method="GET")
    w.refresh()
    assert w.wait(60)
    assert "waiting 1 s (rate limited)" in seen
    assert w.n_items == 4
    assert w.error == ""


def test_display_sends_the_widget_view_with_a_static_fallback(
    make_widget: Any, monkeypatch: Any
) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display

    w = make_widget(VisualizationJobList)
    shell = InteractiveShell.instance()
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, *a, **kw: published.append(data))
    try:
        display(w)  # ipywidgets 8: _repr_mimebundle_; 7: _ipython_display_
    finally:
        InteractiveShell.clear_instance()
    (bundle,) = published
    assert bundle["text/plain"] == "VisualizationJobList: 4 jobs, 0 selected"
    assert "mw-snapshot" in bundle["text/html"]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id


def test_an_explicit_session_or_client_is_used(make_widget: Any, api: Any) -> None:
    from modelarts_widgets.session import Session

    assert make_widget(JobVersionList, Session()).n_items == 9
    assert make_widget(VisualizationJobList, client=api).n_items == 4
    odd = make_widget(VisualizationJobList, object())
    assert "has no .client" in odd.error
