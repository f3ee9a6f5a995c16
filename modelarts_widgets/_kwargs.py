"""Refusing what the public API cannot honour: unknown keywords and out-of-range numbers.

``refuse_unknown`` wraps a constructor so that a misspelt keyword raises
``TypeError("JobVersionList(): unknown argument 'page_sise'; did you mean 'page_size'?")``
instead of being swallowed by ``**kwargs``; ``check_int`` / ``check_float`` raise a
``ValueError`` that states the allowed range and the value given.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import operator
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional, TypeVar, cast

from modelarts_widgets._types import Timeout

__all__ = [
    "check_float",
    "check_int",
    "check_keywords",
    "check_timeout",
    "keyword_names",
    "refuse_unknown",
    "short_repr",
]

F = TypeVar("F", bound=Callable[..., Any])


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters (for error messages)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    if close:
        return f"{name!r}; did you mean {close[0]!r}?"
    return f"{name!r}; valid arguments: {', '.join(sorted(valid))}"


def check_keywords(
    owner: str,
    given: Iterable[str],
    valid: Iterable[str],
    hints: Optional[Mapping[str, str]] = None,
) -> None:
    """Raise ``TypeError`` naming the first keyword of ``given`` not in ``valid``.

    ``hints`` maps a known wrong keyword (a renamed one) to the whole message to give instead.
    """
    names = [n for n in valid if not n.startswith("_")]
    allowed = set(names)
    for name in given:
        if name in allowed:
            continue
        if hints and name in hints:
            raise TypeError(f"{owner}(): {hints[name]}")
        raise TypeError(f"{owner}(): unknown argument {_describe(name, names)}")


def keyword_names(fn: Callable[..., Any], *, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """The keyword names of ``fn``: no ``self``, ``cls``, ``*args``, ``**kwargs`` or ``exclude``."""
    skip = {"self", "cls", *exclude}
    return tuple(
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in skip
    )


def refuse_unknown(
    *, extra: Iterable[str] = (), hints: Optional[Mapping[str, str]] = None
) -> Callable[[F], F]:
    """Decorate ``__init__`` (or any function) to refuse keywords it does not name.

    The valid names are the function's own parameters plus ``extra`` (keywords a ``**kwargs``
    legitimately passes on). The message names the class being built (for ``__init__``, so a
    subclass that inherits it is named) or the function.
    """

    def decorate(fn: F) -> F:
        valid = frozenset((*keyword_names(fn), *extra))
        is_init = fn.__name__ == "__init__"

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not valid.issuperset(kwargs):
                owner = type(args[0]).__name__ if is_init and args else fn.__qualname__
                check_keywords(owner, kwargs, valid, hints)
            return fn(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def check_int(name: str, value: Any, low: int, high: Optional[int] = None, why: str = "") -> int:
    """``value`` as an int in ``low..high`` (inclusive; no ``high`` = unbounded) or ValueError."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(
            f"{name} must be a whole number {bounds}, not {short_repr(value)}"
            f"{': ' + why if why else ''}"
        )
    return number


def check_float(
    name: str,
    value: Any,
    low: float,
    high: Optional[float] = None,
    *,
    low_open: bool = False,
    unit: str = "seconds",
    why: str = "",
) -> float:
    """``value`` as a float above ``low`` (or at least it) and at most ``high``, or ValueError."""
    real = isinstance(value, (int, float)) and not isinstance(value, bool)
    number = float(value) if real else math.nan  # NaN fails every comparison below
    above = number > low if low_open else number >= low
    if not (above and (high is None or number <= high)):
        first = f"greater than {low:g}" if low_open else f"at least {low:g}"
        bounds = first if high is None else f"{first} and at most {high:g}"
        raise ValueError(
            f"{name} must be a number {bounds}{' ' + unit if unit else ''}, not {short_repr(value)}"
            f"{': ' + why if why else ''}"
        )
    return number


#: Longest HTTP timeout accepted (seconds): anything longer is almost surely milliseconds.
MAX_TIMEOUT = 3600.0


def check_timeout(name: str, value: Any) -> Timeout:
    """An HTTP timeout: seconds, or a ``(connect, read)`` pair, each in (0, MAX_TIMEOUT]."""
    if isinstance(value, tuple) and len(value) == 2:
        return (
            check_float(f"{name}[0] (connect)", value[0], 0, MAX_TIMEOUT, low_open=True),
            check_float(f"{name}[1] (read)", value[1], 0, MAX_TIMEOUT, low_open=True),
        )
    if isinstance(value, (tuple, list)):
        raise ValueError(
            f"{name} must be seconds or a (connect, read) pair of seconds, not {short_repr(value)}"
        )
    return check_float(name, value, 0, MAX_TIMEOUT, low_open=True)
