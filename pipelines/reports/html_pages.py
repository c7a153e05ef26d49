"""What every HTML page of the project shares: its templates' folder, one way to render them
(autoescape on, since every label is input), the fonts, and how Korean text is marked.

The Data Docs are English with Korean labels from the sources (account names, 억원, 조원); the
data-quality report is written in English (``index.html``) and in Korean (``index.ko.html``),
each with the other language's names beside its own. Each page says which languages it holds
(``lang``, ``Content-Language``), marks text with Hangul ``lang="ko"`` (the ``ko`` filter) and
names CJK fonts after the Latin ones (``FONT_STACK``), so Korean is never drawn as empty boxes
where a CJK font exists. Their common style is ``_page_style.css.j2``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
T = TypeVar("T")
# Latin fonts first, then the CJK fonts of each platform (Noto CJK and Nanum on Linux, Apple SD
# Gothic Neo, Malgun Gothic on Windows).
FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans KR", '
    '"Noto Sans CJK KR", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif'
)


def korean(text: T) -> Markup | T:
    """Text with Hangul in it, marked ``lang="ko"`` (escaped like any other text:
    ``Markup.format`` escapes its arguments); anything else as it is."""
    return Markup('<span lang="ko">{}</span>').format(text) if HANGUL.search(str(text)) else text


def page_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["ko"] = korean
    environment.globals["font_stack"] = Markup(FONT_STACK)
    return environment
