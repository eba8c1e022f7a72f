#!/usr/bin/env python3
"""`npm audit --omit=dev` of the front end (js/ and its labextension workspace), as `make test` runs it.

Fails (exit 1) when npm reports a high or critical advisory in a runtime dependency. Skips (exit 0, saying why)
when no report comes back: the machine is offline, or the registry (a mirror) does not serve the audit service.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

JS = Path(__file__).resolve().parent.parent / "js"
BLOCKING = ("high", "critical")
TIMEOUT_S = 120


def verdict(output: str) -> tuple[int, str]:
    """The exit code and the message for npm audit's JSON output."""
    try:
        report = json.loads(output)
    except json.JSONDecodeError:
        report = None
    counts = report.get("metadata", {}).get("vulnerabilities") if isinstance(report, dict) else None
    if not isinstance(counts, dict):
        why = report.get("message") if isinstance(report, dict) else None
        why = why or (output.strip().splitlines() or ["no output"])[0]
        return 0, f"npm audit: SKIPPED, the registry's audit service gave no report ({why})."
    found = {level: int(counts.get(level, 0)) for level in ("low", "moderate", "high", "critical")}
    summary = ", ".join(f"{n} {level}" for level, n in found.items())
    if any(found[level] for level in BLOCKING):
        advisories = report.get("vulnerabilities", {})
        names = sorted(name for name, item in advisories.items() if item.get("severity") in BLOCKING)
        return 1, f"npm audit: FAILED, {summary}. Update these in js/package.json or the lock: {', '.join(names)}."
    return 0, f"npm audit: no high or critical advisory ({summary})."


def main() -> int:
    try:
        done = subprocess.run(
            ["npm", "audit", "--omit=dev", "--json"], cwd=JS, capture_output=True, text=True, timeout=TIMEOUT_S
        )
        output = done.stdout
    except subprocess.TimeoutExpired:
        output = f"no answer in {TIMEOUT_S} s"
    except FileNotFoundError:
        print("npm audit: FAILED, npm is not installed (the front end needs Node.js and npm).")
        return 1
    code, message = verdict(output)
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
