"""The report in a real browser: headless Chromium draws it, and the charts are there.

Skipped, with the reason, where no Chromium is installed (`apt-get install chromium`;
.ci/run tries that and carries on without it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_report import write_plan

from wfm.report import build_report
from wfm.report.charts import SITE_COLOURS

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((b for b in BROWSERS if shutil.which(b)), None)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no headless Chromium on PATH (apt-get install chromium)"
)


def screenshot(page: Path, png: Path, *, height: int = 4000) -> list[str]:
    """Open `page` in headless Chromium, save a 1200 px wide screenshot; its console lines."""
    with tempfile.TemporaryDirectory() as profile:
        command = [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size=1200,{height}",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert png.exists(), result.stderr[-2000:]
    # Chromium logs every console message of the page as INFO:CONSOLE.
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


def pixels_near(image: np.ndarray, colour: str, tolerance: int = 12) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image[:, :, :3].astype(int) - rgb).max(axis=2) <= tolerance).sum())


@pytest.mark.slow
@needs_browser
def test_the_report_renders_its_charts_in_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(build_report(write_plan(tmp_path / "plan")).html, encoding="utf-8")
    console = screenshot(page, tmp_path / "report.png")
    assert console == []
    image = np.asarray(Image.open(tmp_path / "report.png").convert("RGB"))
    assert image.shape[1] == 1200
    assert (image.min(axis=2) < 240).mean() > 0.05  # not a blank page
    # The three sites' colours are drawn only by the charts (stacks, Gantt bars).
    for colour in SITE_COLOURS[:3]:
        assert pixels_near(image, colour) > 500, colour
    # The heatmap's short (red) and over (green) cells.
    assert pixels_near(image, "#B2182B", tolerance=40) > 100


@pytest.mark.slow
@needs_browser
def test_the_console_check_sees_a_page_error(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<p>x</p><script>console.error('boom'); notDefined();</script>")
    console = screenshot(page, tmp_path / "bad.png", height=300)
    assert any("boom" in line for line in console)
    assert any("notDefined" in line for line in console)
