"""The system's Chromium, as every browser test and the benchmark start it."""

import os
import shutil

# Headless on a machine with no network but loopback: no sandbox (root in
# CI), and none of Chromium's own calls home, which would only be refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """$CHROMIUM if it is an executable, else the first Chromium on PATH."""
    named = os.environ.get("CHROMIUM")
    if named and shutil.which(named):
        return shutil.which(named)
    for name in CHROMIUM_NAMES:
        if path := shutil.which(name):
            return path
    return None
