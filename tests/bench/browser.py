"""How long a real browser takes to show a page: its load event, in Chromium.

`python -m tests.bench.browser --base URL --path /projects/MORN/ --runs 5`
logs in through the login form, then loads each page `runs` times and prints
JSON, a list with one entry per page: the first load (cold: the page's own
static files fetched) and the later ones (warm: static files cached for a
year), each the navigation's loadEventEnd in ms.
"""

import argparse
import json
from urllib.parse import urlsplit

from tests.bench.load import LOOPBACK
from tests.chromium import CHROMIUM_ARGS, find_chromium


def load_times(base: str, paths: list[str], *, username: str, password: str, runs: int):
    from playwright.sync_api import sync_playwright

    if urlsplit(base).hostname not in LOOPBACK:
        raise ValueError("The browser timing only targets this machine's loopback.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            with page.expect_navigation():
                page.click("form[action$='/accounts/login/'] [type=submit]")
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: (
                    errors.append(message.text) if message.type == "error" else None
                ),
            )
            return [_timed(page, base + path, runs, errors) for path in paths]
        finally:
            browser.close()


def _timed(page, url: str, runs: int, errors: list) -> dict:
    times, statuses = [], []
    errors.clear()
    for _ in range(runs):
        response = page.goto(url, wait_until="load")
        statuses.append(response.status if response else 0)
        times.append(
            page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        )
    later = sorted(times[1:]) or times
    return {
        "path": urlsplit(url).path,
        "statuses": statuses,
        "cold_ms": times[0],
        "warm_ms": later[len(later) // 2],
        "max_ms": max(times),
        "times_ms": times,
        "errors": errors[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--user", default="producer")
    parser.add_argument("--password", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = load_times(
        args.base.rstrip("/"),
        args.path,
        username=args.user,
        password=args.password,
        runs=args.runs,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
