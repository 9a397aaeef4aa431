"""The colour tokens keep WCAG AA contrast in the light and the dark scheme.

axe-core checks the text each page shows (tests/browser/test_accessibility.py);
this checks every pair the stylesheet can put together, including those no
demo page shows at a given moment (a status's badge on a tint, a line on an
overdue card's gradient, a focus ring) and those axe cannot compute.
"""

import re
from pathlib import Path

import pytest

STYLESHEET = Path(__file__).resolve().parent.parent / "static/slate/slate.css"
TEXT = 4.5  # WCAG 1.4.3, normal text
NON_TEXT = 3.0  # WCAG 1.4.11: focus rings, the edges of fields

# Text colours, and the grounds they sit on: the page, cards and panels,
# and the soft tints of messages, overdue cards and today's calendar cell.
TEXTS = ["text", "muted", "accent", "accent-hover", "danger", "warning", "success"]
GROUNDS = [
    "bg",
    "surface",
    "surface-2",
    "accent-soft",
    "danger-soft",
    "warning-soft",
    "success-soft",
]
# Text drawn on a filled colour: primary and destructive buttons.
ON_FILLS = [("on-accent", "accent"), ("on-accent", "accent-hover")]
ON_FILLS += [("on-danger", "danger")]
# What must be seen, not read, against every ground a control sits on.
EDGES = ["accent", "control-border"]


def section(css: str, number: int) -> str:
    start = css.index(f"/* {number}. ")
    return css[start : css.index(f"/* {number + 1}. ", start)]


def declared(block: str) -> dict[str, str]:
    return dict(
        re.findall(r"--([\w-]+):\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\s*;", block)
    )


def schemes() -> dict[str, dict[str, str]]:
    """Each scheme's colour tokens: the light ones, overridden in the dark."""
    tokens = section(STYLESHEET.read_text(), 1)
    light, dark = tokens.split("@media (prefers-color-scheme: dark)")
    return {"light": declared(light), "dark": declared(light) | declared(dark)}


def badge_tint() -> float:
    """How much of its tone a badge mixes into the surface behind its text."""
    badges = section(STYLESHEET.read_text(), 8)
    found = re.search(
        r"color-mix\(in srgb, var\(--tone\) (\d+)%, var\(--surface\)\)", badges
    )
    assert found, "section 8 no longer draws badges as a tint of --tone"
    return int(found.group(1)) / 100


def rgb(colour: str) -> tuple[int, ...]:
    """A token's hex digits as red, green, blue (fff is ffffff)."""
    if len(colour) == 3:
        colour = "".join(digit * 2 for digit in colour)
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def luminance(colour: tuple[float, ...]) -> float:
    def linear(channel):
        channel /= 255
        if channel <= 0.04045:
            return channel / 12.92
        return ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one, other) -> float:
    lighter, darker = sorted([luminance(one), luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tones(tokens: dict[str, str]) -> list[str]:
    """The status, kind and priority colours: text on badges, labels, cards."""
    return [
        name for name in tokens if re.fullmatch(r"(status|kind)-\w+|priority-\d", name)
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_colour_reads_on_every_ground(scheme):
    """Each text colour, status, kind and priority keeps 4.5:1 on the page,
    the panels and every soft tint, in both schemes."""
    tokens = schemes()[scheme]
    assert len(tones(tokens)) >= 17, "the status, kind and priority tokens are gone"
    low = [
        f"--{text} on --{ground}: {ratio:.2f}"
        for text in TEXTS + tones(tokens)
        for ground in GROUNDS
        if (ratio := contrast(rgb(tokens[text]), rgb(tokens[ground]))) < TEXT
    ]
    assert low == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_badge_reads_on_its_own_tint(scheme):
    """A badge's text keeps 4.5:1 on the tint of its own colour, in both schemes."""
    tokens = schemes()[scheme]
    share = badge_tint()
    surface = rgb(tokens["surface"])
    low = []
    for tone in tones(tokens) + ["muted", "warning"]:
        text = rgb(tokens[tone])
        tint = tuple(
            t * share + s * (1 - share) for t, s in zip(text, surface, strict=True)
        )
        if (ratio := contrast(text, tint)) < TEXT:
            low.append(f"--{tone}: {ratio:.2f}")
    assert low == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_buttons_and_focus_rings_stand_out(scheme):
    """Text on a filled button keeps 4.5:1; the focus ring and the edges of
    fields keep 3:1 on every ground a control sits on, in both schemes."""
    tokens = schemes()[scheme]
    low = [
        f"--{text} on --{fill}: {ratio:.2f}"
        for text, fill in ON_FILLS
        if (ratio := contrast(rgb(tokens[text]), rgb(tokens[fill]))) < TEXT
    ]
    low += [
        f"--{edge} on --{ground}: {ratio:.2f}"
        for edge in EDGES
        for ground in ["bg", "surface", "surface-2"]
        if (ratio := contrast(rgb(tokens[edge]), rgb(tokens[ground]))) < NON_TEXT
    ]
    assert low == []
