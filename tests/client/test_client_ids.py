"""Id validation: bad ids are refused before any request is built."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelarts_widgets.client import ids
from modelarts_widgets.errors import ConfigurationError, InvalidIdError


@pytest.mark.parametrize(
    ("value", "expected"),
    [(182626, "182626"), ("182626", "182626"), ("  42 ", "42"), ("007", "7")],
)
def test_training_id_accepts_positive_numbers(value: object, expected: str) -> None:
    assert ids.training_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        0,
        -3,
        True,
        None,
        1.5,
        "",
        "   ",
        "0",
        "12a",
        "1 2",
        "../1",
        "1/2",
        "%2F",
        "1%2F2",
        "\uff11\uff12",  # full-width digits
        "1\n2",
        "1\x00",
        "9" * 30,
    ],
)
def test_training_id_rejects_everything_else(value: object) -> None:
    with pytest.raises(InvalidIdError) as info:
        ids.training_id(value, "version id")
    assert "version id" in str(info.value)
    assert isinstance(info.value, ConfigurationError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8992, "8992"), ("8992", "8992"), (" vis_job-1 ", "vis_job-1"), ("a" * 64, "a" * 64)],
)
def test_visualization_id_accepts_digits_and_tokens(value: object, expected: str) -> None:
    assert ids.visualization_id(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", " ", "..", "a/b", "/", "%2F", "a%2Fb", "a b", "a\tb", "a\x7fb", "a" * 65, 0, False, None],
)
def test_visualization_id_rejects_unsafe_values(value: object) -> None:
    with pytest.raises(InvalidIdError):
        ids.visualization_id(value)


def test_message_shows_a_truncated_repr() -> None:
    with pytest.raises(InvalidIdError) as info:
        ids.visualization_id("x/" * 100)
    text = str(info.value)
    assert "'x/x/" in text
    assert len(text) < 160


def test_job_name_rule() -> None:
    assert ids.is_job_name("visualization_job")
    assert not ids.is_job_name("a" * 21)
    assert not ids.is_job_name("bad name")
    assert not ids.is_job_name("")


@given(st.text(max_size=80))
def test_accepted_ids_are_always_safe_path_segments(text: str) -> None:
    for check in (ids.training_id, ids.visualization_id):
        try:
            value = check(text)
        except InvalidIdError:
            continue
        assert value
        assert all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in value)
