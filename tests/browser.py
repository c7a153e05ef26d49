"""The reports as a person sees them: Debian's Chromium driven by Playwright, offline.

``make test`` installs Chromium and a Korean font (``make browser``); Playwright downloads no
browser here. Every page is opened from ``file://`` and every request it makes is recorded, so a
test can assert that nothing was fetched from elsewhere.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The width of a common laptop window: what a report must fit without scrolling sideways.
LAPTOP = {"width": 1280, "height": 900}
# The reports' colours of a failed and a passed status, as Chromium computes them.
RED, GREEN = "rgb(179, 38, 30)", "rgb(29, 122, 58)"


def visible_icon(locator: Any) -> None:
    """The status icon in ``locator`` is drawn: an SVG with a size on the page."""
    icon = locator.locator("svg.icon")
    assert icon.count() == 1
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 12 and box["height"] >= 12


@dataclass
class Browser:
    page: Any  # playwright.sync_api.Page
    requests: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(("file://", "data:"))]

    def fonts_drawing(self, selector: str) -> dict[str, int]:
        """The fonts Chromium drew the text of ``selector`` with: family → glyphs drawn (the
        DevTools protocol's own account, not a guess from CSS)."""
        session = self.page.context.new_cdp_session(self.page)
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element {selector!r} on the page"
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {font["familyName"]: font["glyphCount"] for font in fonts}


@contextmanager
def browser(viewport: dict[str, int] = LAPTOP) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), (
        "Chromium is needed for this test: `apt-get install chromium` (make test does it as root)"
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport=viewport)
            opened = Browser(page)
            page.on("request", lambda request: opened.requests.append(request.url))
            yield opened
        finally:
            chromium.close()


def korean_font_families() -> set[str]:
    """Families of the installed fonts that cover Korean (fontconfig's own list)."""
    listed = subprocess.run(
        ["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}
