"""Layout checks for the list widgets in a real browser, shared by the layout tests.

`problems(page)` measures every ``.modelarts-widgets`` on the page in the browser and returns
what is wrong, as readable strings (empty: the layout holds). `wait_layout` waits for a resize
to reach the lists (`wait_settled`), then for the layout to hold, and fails with that list.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# Per widget: header and row cells (the visible ones) start at the same x (±2 px), in the
# same number; no row is wider than the widget; no cell text scrolls inside its row; timestamp
# cells show their whole text; the outcome column is inside the widget.
GEOMETRY_JS = """() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none';
  const out = [];
  const lists = Array.from(document.querySelectorAll('.modelarts-widgets'));
  if (!lists.length) return ['no .modelarts-widgets on the page'];
  lists.forEach((w, n) => {
    const box = w.getBoundingClientRect();
    const name = `widget ${n} (${Math.round(box.width)} px)`;
    const head = w.querySelector('.mw-header-cells');
    if (!head) { out.push(`${name}: no header`); return; }
    const hx = Array.from(head.children).filter(shown).map((c) => c.getBoundingClientRect().x);
    const outcome = head.querySelector('.mw-col-outcome');
    if (!outcome || !shown(outcome)) out.push(`${name}: outcome column hidden`);
    else if (outcome.getBoundingClientRect().right > box.right + 1)
      out.push(`${name}: outcome column ends at ${outcome.getBoundingClientRect().right}`);
    const rows = Array.from(w.querySelectorAll('.mw-row')).filter(shown);
    if (!rows.length) out.push(`${name}: no rows`);
    for (const row of rows) {
      const cells = row.querySelector('.mw-cells');
      const key = cells?.getAttribute('data-key');
      const r = row.getBoundingClientRect();
      const at = `${name} row ${key}`;
      if (r.right > box.right + 1) out.push(`${at}: ends at ${r.right} > ${box.right}`);
      if (cells.scrollWidth > cells.clientWidth + 1)
        out.push(`${at}: content ${cells.scrollWidth} px in ${cells.clientWidth} px`);
      const xs = Array.from(cells.children).filter(shown).map((c) => c.getBoundingClientRect().x);
      if (xs.length !== hx.length) out.push(`${at}: ${xs.length} cells, header ${hx.length}`);
      xs.forEach((x, i) => {
        if (Math.abs(x - hx[i]) > 2)
          out.push(`${at}: cell ${i} at x=${x.toFixed(1)}, header at ${hx[i].toFixed(1)}`);
      });
      for (const t of cells.querySelectorAll('.mw-col-created')) {
        if (shown(t) && t.scrollWidth > t.clientWidth)
          out.push(`${at}: timestamp cut (${t.scrollWidth} > ${t.clientWidth})`);
      }
    }
  });
  return out;
}"""

# Visible column keys of the first list's header (to show which columns gave way).
COLUMNS_JS = """() => Array.from(
    document.querySelector('.modelarts-widgets .mw-header-cells').children)
  .filter((c) => getComputedStyle(c).display !== 'none')
  .map((c) => Array.from(c.classList).find((k) => k.startsWith('mw-col-')).slice(7))"""


def problems(page: Any) -> list[str]:
    found: list[str] = page.evaluate(GEOMETRY_JS)
    return found


# True once the window has the viewport's width and the first list's width has not changed for
# SETTLE_FRAMES animation frames (JupyterLab sizes its panels a frame or more after a resize,
# and the layout before that is whole too: read at once, it is the previous width's).
SETTLED_JS = """(want) => {
  const w = document.querySelector('.modelarts-widgets');
  if (!w || window.innerWidth !== want) return false;
  const width = w.getBoundingClientRect().width;
  const s = window.__mwSettle || (window.__mwSettle = {width: -1, same: 0});
  if (width === s.width) s.same += 1; else { s.width = width; s.same = 0; }
  return s.same >= %d;
}"""
SETTLE_FRAMES = 5


def wait_settled(page: Any, timeout_ms: int = 10_000) -> None:
    """Wait until a resize has reached the lists (see ``SETTLED_JS``)."""
    size = page.viewport_size
    assert size is not None
    page.evaluate("() => { window.__mwSettle = undefined; }")
    page.wait_for_function(
        SETTLED_JS % SETTLE_FRAMES, arg=size["width"], polling="raf", timeout=timeout_ms
    )


def wait_layout(page: Any, timeout_ms: int = 10_000) -> list[str]:
    """Wait until a resize has settled and the layout holds; fails listing what is wrong.
    Returns the shown columns."""
    wait_settled(page, timeout_ms)
    with suppress(PlaywrightError):  # the assertion below says what is wrong
        page.wait_for_function(f"() => ({GEOMETRY_JS})().length === 0", timeout=timeout_ms)
    found = problems(page)
    assert found == [], "\n".join(found[:20])
    columns: list[str] = page.evaluate(COLUMNS_JS)
    return columns


def in_viewport(page: Any, locator: Any) -> bool:
    """Whether ``locator``'s box is wholly inside the page's viewport (no scrolling)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(
        box
        and size
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def assert_inside(inner: Any, outer: Any) -> None:
    """``inner``'s box lies horizontally inside ``outer``'s (±1 px) and is not empty."""
    expect(inner).to_be_visible()
    a, b = inner.bounding_box(), outer.bounding_box()
    assert a is not None
    assert b is not None
    assert a["width"] > 0
    assert a["x"] >= b["x"] - 1, (a, b)
    assert a["x"] + a["width"] <= b["x"] + b["width"] + 1, (a, b)
