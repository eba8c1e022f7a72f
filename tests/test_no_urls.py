"""The repository names no hosts: no registry, badge or download URLs in any tracked text file (npm's lock
file included: its "funding" links are stripped). Allowed: the XML namespace of SVG, and the local test
servers on 127.0.0.1."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>)]+", re.I)
ALLOWED = re.compile(r"^https?://(www\.w3\.org/2000/svg|127\.0\.0\.1[:/{])")


def test_no_urls_in_tracked_files():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    found = []
    for name in filter(None, (f.decode() for f in files)):
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary data
        found += [f"{name}: {url}" for url in URL.findall(text) if not ALLOWED.match(url)]
    assert not found, (
        'URLs in the repository (for js/package-lock.json: delete the packages\' "funding" entries '
        "that `npm install` writes):\n" + "\n".join(found[:30])
    )
