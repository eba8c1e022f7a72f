"""The README's screenshots: every image it shows is a real PNG in the repository, and every PNG in
notebooks/images/ is shown by it (``make screenshots`` regenerates them)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
IMAGES = ROOT / "notebooks" / "images"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def readme_images() -> list[str]:
    return re.findall(r"\]\(([^)\s]+\.png)\)", README.read_text(encoding="utf-8"))


def test_readme_shows_screenshots():
    assert len(readme_images()) >= 7, "README.md lost its 'What you can do' screenshots"


def test_every_readme_image_is_a_sane_png():
    for link in readme_images():
        path = (ROOT / link).resolve()
        assert path.is_relative_to(ROOT), f"{link}: outside the repository"
        assert path.is_file(), f"{link}: missing (run `make screenshots`)"
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, f"{link}: not a PNG"
        assert 2_000 < len(data) < 500_000, f"{link}: {len(data):,} bytes, expected 2 KB to 500 KB"


def test_every_screenshot_is_in_the_readme():
    shown = {(ROOT / link).resolve() for link in readme_images()}
    unused = sorted(p.name for p in IMAGES.glob("*.png") if p.resolve() not in shown)
    assert not unused, f"notebooks/images/ holds PNGs the README does not show: {unused}"
