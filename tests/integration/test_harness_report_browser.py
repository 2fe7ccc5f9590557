"""The report of a real suites run, opened in headless Chromium (Playwright, the browser of the
system's ``chromium`` package: no browser is downloaded).

For the default testbed and for the fleet testbed (``-n 2``), ``pytest suites --report-dir``
runs as a user runs it; then, in the page, from the DOM:

- no two labels of a timeline intersect (their boxes as the browser laid them out);
- every lane segment is exactly what the run's ``report.json`` says, by the rule of
  :mod:`harness.report.timeline` re-derived here from the JSON alone (a state holds from its
  report until the next report of another state on its lane, a reset, or the router's last
  entry), and sits where the axis puts its times;
- every operation's control-plane, data-plane and backup-ready span runs from its command to
  the time the JSON gives, and no segment crosses a reset.

Chromium missing: skipped on a developer's machine, a failure in CI (``.ci/run`` installs the
Debian package).  ``RE_REPORT_SCREENSHOT=path`` also saves the default run's first router
section there (how ``docs/report-screenshot.png`` is made).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from tests.shared import REPO, require_tool

CHROMIUM = require_tool("chromium", "chromium")

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402

#: Launch flags that work in a container without a GPU, a sandbox or a network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUNS = {
    "default": [],
    "fleet": ["--testbed", str(REPO / "testbeds" / "emulated-fleet.yaml"), "-n", "2"],
}
#: Tolerance (SVG units) of a drawn position: the layout rounds to 0.01.
SLACK = 0.05


@pytest.fixture(scope="module", params=sorted(RUNS))
def run_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report directory of ``pytest suites`` against the testbed of this parameter."""
    out = tmp_path_factory.mktemp(f"suites-{request.param}")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider",
         "--report-dir", str(out), *RUNS[request.param]],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    """Headless Chromium of the system, with a fresh profile (its user data directory)."""
    profile = tempfile.mkdtemp(prefix="re-harness-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1000})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: BrowserContext, run_dir: Path) -> Iterator[Page]:
    """The run's report.html, opened and laid out."""
    tab = browser.new_page()
    tab.goto((run_dir / "report.html").as_uri())
    tab.wait_for_selector("svg.timeline")
    yield tab
    tab.close()


def report_json(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run_dir / "report.json").read_text())
    return data


# ----------------------------------------------------------------- what the JSON says
def expected_segments(entries: list[dict[str, Any]]) -> list[tuple[str, str, float, float]]:
    """Return one router's lane segments as its JSON entries determine them."""
    assert all(e["router_time"] is not None for e in entries), "an entry lacks router time"
    ordered = sorted(entries, key=lambda e: (e["router_time"], e["wall_time"]))
    end = max(e["router_time"] for e in entries)
    open_: dict[str, tuple[str, float]] = {}
    out: list[tuple[str, str, float, float]] = []

    def close(lane: str, at: float) -> None:
        state, start = open_.pop(lane)
        if at > start:
            out.append((lane, state, start, at))

    for e in ordered:
        t = e["router_time"]
        if e["kind"] == "reset":
            for lane in list(open_):
                close(lane, t)
        elif e["kind"] == "state":
            lane, state = e["detail"]["lane"], e["detail"]["state"]
            if lane in open_ and open_[lane][0] == state:
                continue
            if lane in open_:
                close(lane, t)
            open_[lane] = (state, t)
    for lane in list(open_):
        close(lane, end)
    return sorted(out)


def expected_phases(entries: list[dict[str, Any]]) -> list[tuple[str, float, float]]:
    """Return one router's operation phase spans (phase, start, end) from its JSON."""
    out = []
    for e in entries:
        if e["kind"] != "operation":
            continue
        d = e["detail"]
        start = d["started"] if d["started"] is not None else e["router_time"] - d["duration"]
        for phase in ("control_plane", "data_plane", "backup_ready"):
            if d[phase] is not None:
                out.append((phase, start, start + d[phase]))
    return sorted(out)


# --------------------------------------------------------------------- what the page shows
_SVGS = """() => [...document.querySelectorAll('svg.timeline')].map(svg => ({
  router: svg.dataset.router, t0: +svg.dataset.t0, t1: +svg.dataset.t1,
  x0: +svg.dataset.x0, x1: +svg.dataset.x1,
  labels: [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }),
  segments: [...svg.querySelectorAll('rect[data-lane]')].map(r => ({
    lane: r.dataset.lane, state: r.dataset.state, start: +r.dataset.start,
    end: +r.dataset.end, x: r.x.baseVal.value, width: r.width.baseVal.value})),
  phases: [...svg.querySelectorAll('rect[data-phase]')].map(r => ({
    phase: r.dataset.phase, start: +r.dataset.start, end: +r.dataset.end,
    x: r.x.baseVal.value, width: r.width.baseVal.value})),
  resets: [...svg.querySelectorAll('line.reset')].map(l => +l.dataset.at),
}))"""


def timelines(page: Page) -> dict[str, dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(_SVGS)
    return {t["router"]: t for t in found}


def x_of(svg: dict[str, Any], t: float) -> float:
    t = min(max(t, svg["t0"]), svg["t1"])
    return svg["x0"] + (t - svg["t0"]) / (svg["t1"] - svg["t0"]) * (svg["x1"] - svg["x0"])


def by_router(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {r["name"]: [] for r in data["routers"]}
    for e in data["entries"]:
        out.setdefault(e["router"], []).append(e)
    return out


# --------------------------------------------------------------------------- the tests
def test_no_two_labels_intersect(page: Page) -> None:
    found = timelines(page)
    assert found, "no timeline in the report"
    for router, svg in found.items():
        boxes = [b for b in svg["labels"] if b["right"] > b["left"] and b["bottom"] > b["top"]]
        assert len(boxes) >= 5, f"{router}: only {len(boxes)} labels"
        for a, b in combinations(boxes, 2):
            apart = (a["right"] <= b["left"] + 0.5 or b["right"] <= a["left"] + 0.5
                     or a["bottom"] <= b["top"] + 0.5 or b["bottom"] <= a["top"] + 0.5)
            assert apart, f"{router}: labels {a['text']!r} and {b['text']!r} overlap"


def test_each_state_span_is_what_the_router_reported(page: Page, run_dir: Path) -> None:
    entries = by_router(report_json(run_dir))
    found = timelines(page)
    assert set(found) == set(entries)
    for router, svg in found.items():
        drawn = sorted((s["lane"], s["state"], s["start"], s["end"]) for s in svg["segments"])
        assert drawn == expected_segments(entries[router]), router
        for s in svg["segments"]:
            assert abs(s["x"] - x_of(svg, s["start"])) <= SLACK, (router, s)
            right = x_of(svg, s["end"])
            assert abs(s["x"] + s["width"] - right) <= SLACK or s["width"] == 0.5, (router, s)
        for r in svg["resets"]:
            crossing = [s for s in svg["segments"] if s["start"] < r < s["end"]]
            assert not crossing, f"{router}: segments cross the reset at {r}: {crossing}"


def test_each_operation_spans_its_measured_phases(page: Page, run_dir: Path) -> None:
    data = report_json(run_dir)
    entries = by_router(data)
    found = timelines(page)
    measured = 0
    for router, svg in found.items():
        drawn = sorted((p["phase"], p["start"], p["end"]) for p in svg["phases"])
        assert drawn == expected_phases(entries[router]), router
        for p in svg["phases"]:
            assert abs(p["x"] - x_of(svg, p["start"])) <= SLACK
            width = x_of(svg, p["end"]) - p["x"]
            assert abs(p["width"] - width) <= SLACK or (p["width"] == 2.0 and width <= 2.0)
        measured += len(drawn)
        resets = sorted(e["router_time"] for e in entries[router] if e["kind"] == "reset")
        assert sorted(svg["resets"]) == resets
    assert measured, "no operation phase was drawn"
    timings = data["summary"]["switchovers"]
    assert any("fpcs_reinitialised" in t and "fpcs_kept_online" in t for t in timings.values())


def test_screenshot(page: Page, run_dir: Path, tmp_path: Path) -> None:
    # The picture: the header and the first router's timeline, with the long table of tests
    # folded away (only in this page, for the picture).
    page.evaluate("""() => { for (const el of document.querySelectorAll(
        'table.tests, h3')) { if (el.matches('table.tests') ||
        el.nextElementSibling?.matches('table.tests')) el.style.display = 'none'; } }""")
    svg = page.locator("section.router svg.timeline").first.bounding_box()
    assert svg is not None
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1400, "height": svg["y"] + svg["height"] + 16})
    assert shot.stat().st_size > 10_000
    target = os.environ.get("RE_REPORT_SCREENSHOT")
    if target and run_dir.name.startswith("suites-default"):
        shutil.copyfile(shot, target)
