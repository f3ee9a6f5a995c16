"""The public API refuses what it cannot honour (issue 14): nothing is silently ignored.

Every public constructor raises ``TypeError`` for an unknown keyword, naming it and the closest
valid name; numeric options outside their stated range raise ``ValueError`` naming the range and
the value.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from modelarts_widgets import Session, sdk
from modelarts_widgets.emulator import EmulatorConfig, EmulatorServer


def did_you_mean(wrong: str, right: str) -> str:
    """The pattern of the refusal message for a misspelt keyword."""
    return re.escape(f"unknown argument '{wrong}'; did you mean '{right}'?")


# --- unknown keywords ------------------------------------------------------------------------

MISSPELT: list[tuple[str, Callable[..., Any], str, str]] = [
    ("Session", Session, "regoin_name", "region_name"),
    ("Session", Session, "acess_key", "access_key"),
    ("Session", Session, "timout", "timeout"),
    ("EmulatorServer", EmulatorServer, "delete_dealy", "delete_delay"),
    ("EmulatorServer", EmulatorServer, "sed", "seed"),
    ("EmulatorServer", EmulatorServer, "refusal_stauts", "refusal_status"),
    ("sdk.Session", sdk.Session, "regin", "region"),
    ("sdk.Session", sdk.Session, "config_fil", "config_file"),
    ("Estimator", lambda **kw: sdk.Estimator(None, **kw), "verison_id", "version_id"),
    ("Estimator", lambda **kw: sdk.Estimator(None, **kw), "framwork_type", "framework_type"),
    ("Estimator", lambda **kw: sdk.Estimator(None, **kw), "outputpath", "output_path"),
    (
        "VisualizationJob",
        lambda **kw: sdk.VisualizationJob(None, **kw),
        "visualisation_id",
        "visualization_id",
    ),
    ("TrainingJob", lambda **kw: sdk.TrainingJob(None, 1, **kw), "version", "version_id"),
    # the SDK's documented methods (their keywords are many, their typos likely)
    ("Session.set_endpoint", sdk.Session.set_endpoint, "modelart_endpoint", "modelarts_endpoint"),
    (
        "Estimator.get_job_list",
        lambda **kw: sdk.Estimator.get_job_list(None, **kw),
        "per_pag",
        "per_page",
    ),
    (
        "Estimator.create_job_version",
        lambda **kw: sdk.Estimator(None).create_job_version(1, **kw),
        "pre_version",
        "pre_version_id",
    ),
    (
        "Estimator.get_job_version_object_list",
        lambda **kw: sdk.Estimator(None).get_job_version_object_list(**kw),
        "isshow",
        "is_show",
    ),
    (
        "VisualizationJob.create_visualization_job",
        lambda **kw: sdk.VisualizationJob(None).create_visualization_job(**kw),
        "trainurl",
        "train_url",
    ),
    (
        "VisualizationJob.get_visualization_job_list",
        lambda **kw: sdk.VisualizationJob.get_visualization_job_list(None, **kw),
        "order_by",
        "order",
    ),
    (
        "VisualizationJob.get_visualization_job_object_list",
        lambda **kw: sdk.VisualizationJob.get_visualization_job_object_list(None, **kw),
        "serach_content",
        "search_content",
    ),
]


@pytest.mark.parametrize(("owner", "build", "wrong", "right"), MISSPELT)
def test_misspelt_keyword_names_it_and_the_closest_valid_name(
    owner: str, build: Callable[..., Any], wrong: str, right: str
) -> None:
    with pytest.raises(TypeError, match=did_you_mean(wrong, right)) as caught:
        build(**{wrong: 1})
    assert str(caught.value).startswith(owner.removeprefix("sdk.") + "(): ")


@pytest.mark.parametrize(
    ("build", "some_valid"),
    [
        (Session, ("access_key", "region_name", "timeout", "verify")),
        (EmulatorServer, ("config", "seed", "delete_delay", "port", "rng_seed")),
        (sdk.Session, ("access_key", "config_file", "region")),
        (lambda **kw: sdk.Estimator(None, **kw), ("job_id", "code_dir", "train_instance_type")),
    ],
)
def test_keyword_far_from_any_lists_the_valid_names(
    build: Callable[..., Any], some_valid: tuple[str, ...]
) -> None:
    with pytest.raises(TypeError, match="unknown argument 'xyzzy'; valid arguments: ") as caught:
        build(xyzzy=1)
    listed = str(caught.value).split("valid arguments: ", 1)[1].split(", ")
    assert set(some_valid) <= set(listed)
    assert listed == sorted(listed)


def test_a_refused_keyword_never_echoes_its_value() -> None:
    """The message names the keyword only: a misspelt secret's value stays out of it."""
    secret = "SK-do-not-print-0123456789"
    for build in (Session, sdk.Session):
        with pytest.raises(TypeError) as caught:
            build(secret_kye=secret)
        assert secret not in str(caught.value)
        assert "did you mean 'secret_key'?" in str(caught.value)


def test_estimator_refuses_what_it_cannot_honour_with_a_hint() -> None:
    with pytest.raises(TypeError, match=r"model_name .* not supported .* code_dir"):
        sdk.Estimator(None, model_name="ResNet_v1_50")
    with pytest.raises(TypeError, match=re.escape("use modelarts_session=")):
        sdk.Estimator(session=None)
    with pytest.raises(TypeError, match=re.escape("use visualization_id=")):
        sdk.VisualizationJob(None, job_id="8992")


def test_estimator_keeps_every_documented_training_keyword() -> None:
    """The official SDK's Estimator keywords (modelarts_04_0131 / 0168) are all accepted."""
    given = {name: f"value-{name}" for name in sdk.TRAINING_KEYWORDS}
    estimator = sdk.Estimator(None, job_id="182626", **given)
    assert estimator.training_kwargs == given


def test_emulator_server_takes_a_config_not_a_port() -> None:
    with pytest.raises(TypeError, match="takes an EmulatorConfig, not int"):
        EmulatorServer(8080)  # type: ignore[arg-type]


def test_emulator_server_is_built_from_one_config() -> None:
    """A config plus keyword overrides: the running server answers with the merged identity."""
    config = EmulatorConfig(region="eu-nl", seed={"jobs": 2, "versions_per_job": 1})
    with EmulatorServer(config, delete_delay=None) as server:
        assert (server.config.region, server.delete_delay) == ("eu-nl", None)
        assert config.delete_delay == 0.0  # the caller's config is not changed
        session = Session(
            access_key=server.config.access_key,
            secret_key=server.config.secret_key,
            project_id=server.config.project_id,
            modelarts_endpoint=server.base_url,
            region_name="eu-nl",
        )
        assert len(session.client.list_all_job_versions()) == 2


# --- numeric ranges --------------------------------------------------------------------------

BAD_TIMEOUTS = [0, -1, 0.0, 3601, math.nan, math.inf, "5", True, None, (1, 0), (0, 1), (1, 2, 3)]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
def test_session_timeout_out_of_range(timeout: Any) -> None:
    with pytest.raises(ValueError, match=r"timeout.* greater than 0 and at most 3600|pair"):
        Session(access_key="ak", secret_key="sk", project_id="p", timeout=timeout)


def test_session_timeout_in_range_is_used(emulator_env: Any) -> None:
    session = Session(timeout=(0.5, 3600))
    assert len(session.client.list_all_job_versions()) == 9


@pytest.mark.parametrize(
    ("option", "value", "range_text"),
    [
        ("port", -1, "from 0 to 65535"),
        ("port", 65536, "from 0 to 65535"),
        ("port", "8080", "from 0 to 65535"),
        ("rng_seed", -1, "at least 0"),
        ("delete_delay", -0.5, "at least 0 and at most 86400 seconds"),
        ("token_ttl", 0, "greater than 0 seconds"),
        ("temp_credential_ttl", -1, "greater than 0 seconds"),
        ("refusal_status", 99, "from 200 to 599"),
        ("refusal_status", 600, "from 200 to 599"),
    ],
)
def test_emulator_numbers_out_of_range(option: str, value: Any, range_text: str) -> None:
    message = f"{option} must be a (whole )?number {range_text}, not {re.escape(repr(value))}"
    with pytest.raises(ValueError, match=message):
        EmulatorServer(**{option: value})
    with pytest.raises(ValueError, match=message):
        EmulatorConfig(**{option: value})


# --- the list widgets ------------------------------------------------------------------------

LIST_CLASSES = ("JobVersionList", "VisualizationJobList")


def list_class(name: str) -> Any:
    import modelarts_widgets

    return getattr(modelarts_widgets, name)


def live_widgets() -> int:
    """How many widget models exist (ipywidgets 8: ``_instances``; 7: ``Widget.widgets``)."""
    from ipywidgets.widgets import widget as widget_module

    instances = getattr(widget_module, "_instances", None)
    if instances is None:  # ipywidgets 7
        instances = widget_module.Widget.widgets
    return len(instances)


@pytest.fixture
def make_list(emulator_env: Any) -> Iterator[Callable[..., Any]]:
    """Build list widgets against the emulator (listed before returning); closes them after."""
    made: list[Any] = []

    def make(name: str, **kwargs: Any) -> Any:
        widget = list_class(name)(**kwargs)
        made.append(widget)
        deadline = time.monotonic() + 30
        while not widget.n_items and not widget.error and time.monotonic() < deadline:
            time.sleep(0.02)
        assert widget.n_items, widget.error or "nothing listed"
        return widget

    yield make
    for widget in made:
        widget.close()


@pytest.mark.parametrize("name", LIST_CLASSES)
@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("page_sise", "page_size"),
        ("concurency", "concurrency"),
        ("rechek", "recheck"),
        ("recheck_timout", "recheck_timeout"),
        ("poll_intervall", "poll_interval"),
        ("clinet", "client"),
        ("layuot", "layout"),
    ],
)
def test_list_misspelt_keyword_is_refused_before_anything_is_built(
    name: str, wrong: str, right: str
) -> None:
    before = live_widgets()
    with pytest.raises(TypeError, match=did_you_mean(wrong, right)) as caught:
        list_class(name)(**{wrong: 5})
    assert str(caught.value).startswith(f"{name}(): ")
    assert live_widgets() == before  # no widget (and no session) was made


def test_job_version_list_names_its_own_options() -> None:
    with pytest.raises(TypeError, match=did_you_mean("list_worker", "list_workers")):
        list_class("JobVersionList")(list_worker=2)
    with pytest.raises(TypeError, match=did_you_mean("jobid", "job_id")):
        list_class("JobVersionList")(jobid=2)


@pytest.mark.parametrize("name", LIST_CLASSES)
def test_list_verify_says_it_was_renamed_to_recheck(name: str) -> None:
    with pytest.raises(TypeError, match=r"use recheck=.*Session\(verify=\.\.\.\)"):
        list_class(name)(verify=False)
    with pytest.raises(TypeError, match=r"use recheck_timeout="):
        list_class(name)(verify_timeout=5)


@pytest.mark.parametrize("name", LIST_CLASSES)
def test_list_box_keywords_pass_through_and_are_documented(name: str, make_list: Any) -> None:
    import ipywidgets

    from modelarts_widgets.widgets._options import BOX_KEYWORDS

    cls = list_class(name)
    for keyword in BOX_KEYWORDS:
        assert f"``{keyword}``" in (cls.__doc__ or ""), keyword
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # traitlets warns about arguments it would drop
        widget = make_list(name, layout=ipywidgets.Layout(width="60%"), box_style="info")
    assert (widget.layout.width, widget.box_style) == ("60%", "info")


@pytest.mark.parametrize("name", LIST_CLASSES)
@pytest.mark.parametrize(
    ("option", "value", "range_text"),
    [
        ("concurrency", 0, "whole number from 1 to 32"),
        ("concurrency", -3, "whole number from 1 to 32"),
        ("concurrency", 33, "whole number from 1 to 32"),
        ("concurrency", 2.5, "whole number from 1 to 32"),
        ("concurrency", "8", "whole number from 1 to 32"),
        ("page_size", 0, "whole number from 1 to 100"),
        ("page_size", 101, "whole number from 1 to 100"),
        ("recheck_timeout", -1, "number at least 0 and at most 3600 seconds"),
        ("recheck_timeout", math.nan, "number at least 0 and at most 3600 seconds"),
        ("poll_interval", 0, "number at least 0.01 and at most 60 seconds"),
        ("poll_interval", 61, "number at least 0.01 and at most 60 seconds"),
    ],
)
def test_list_numbers_out_of_range(name: str, option: str, value: Any, range_text: str) -> None:
    before = live_widgets()
    with pytest.raises(ValueError, match=f"{option} must be a {range_text}, not "):
        list_class(name)(**{option: value})
    assert live_widgets() == before


@pytest.mark.parametrize("value", [0, 17, -1, "4"])
def test_job_version_list_workers_out_of_range(value: Any) -> None:
    with pytest.raises(ValueError, match="list_workers must be a whole number from 1 to 16"):
        list_class("JobVersionList")(list_workers=value)


@pytest.mark.parametrize("name", LIST_CLASSES)
def test_list_recheck_must_be_a_bool(name: str) -> None:
    with pytest.raises(ValueError, match="recheck must be True or False, not 'no'"):
        list_class(name)(recheck="no")


# --- select(keys=...) ------------------------------------------------------------------------


def test_select_reports_keys_that_are_not_listed(make_list: Any) -> None:
    widget = make_list("JobVersionList")
    first, second = (v.key for v in widget.items[:2])
    assert widget.select(keys=[first, (999999, 1), list(second), (999999, 2)]) == 2
    assert widget.n_selected == 2
    assert "2 of 4 keys" in widget.status_message
    assert "not listed" in widget.status_message
    assert widget.select(keys=[widget.items[2]]) == 0  # a JobVersion is a key too
    assert widget.n_selected == 3


def test_select_with_only_listed_keys_ignores_none(make_list: Any) -> None:
    widget = make_list("VisualizationJobList")
    keys = [j.job_id for j in widget.items]
    assert widget.select(keys=keys) == 0
    assert widget.n_selected == len(keys)
    assert "not listed" not in widget.status_message
    assert widget.select(all_matching=True) == 0


@pytest.mark.parametrize(
    ("name", "bad_key"),
    [
        ("VisualizationJobList", (1, 2)),
        ("VisualizationJobList", [1, 2]),
        ("VisualizationJobList", None),
        ("JobVersionList", "some-job"),
        ("JobVersionList", 12),
        ("JobVersionList", (1, 2, 3)),
        ("JobVersionList", ("job", "version")),
    ],
)
def test_select_refuses_a_key_of_the_wrong_shape(name: str, bad_key: Any, make_list: Any) -> None:
    widget = make_list(name)
    good = widget.items[0].key
    with pytest.raises(ValueError, match="key"):
        widget.select(keys=[good, bad_key])
    assert widget.n_selected == 0  # nothing half-done


def test_select_refuses_the_other_lists_items(make_list: Any) -> None:
    versions = make_list("JobVersionList")
    jobs = make_list("VisualizationJobList")
    with pytest.raises(ValueError, match="key"):
        jobs.select(keys=[versions.items[0]])
    with pytest.raises(ValueError, match="key"):
        versions.select(keys=[jobs.items[0]])
