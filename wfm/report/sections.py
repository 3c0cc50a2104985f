"""A report section: an anchor, a title and its HTML body."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One part of the page.

    Attributes:
        key: anchor id (letters, digits, '-').
        title: heading text.
        body: HTML (charts as inline SVG, tables, notes).
        drawn: False when its input is missing and it shows only that.
    """

    key: str
    title: str
    body: str
    drawn: bool = True


def note(text: str, *, kind: str = "note") -> str:
    """A boxed remark (kind "note" or "missing")."""
    return f'<p class="{kind}">{html.escape(text)}</p>\n'


def missing(files: list[str], what: str) -> str:
    """The box shown where a section's input files are absent."""
    names = ", ".join(files)
    return note(
        f"Not shown: {what} needs {names}, which is not in the plan folder.", kind="missing"
    )


def table(header: list[str], rows: list[list[str]], *, numeric_from: int = 1) -> str:
    """An HTML table; cells from column `numeric_from` on are right-aligned numbers."""
    head = "".join(
        f"<th{' class=num' if i >= numeric_from else ''}>{html.escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i >= numeric_from else ''}>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def figure(svg_text: str, caption: str) -> str:
    """A chart with its caption."""
    return f"<figure>\n{svg_text}\n<figcaption>{html.escape(caption)}</figcaption>\n</figure>\n"


def chart_key(prefix: str, number: int, name: str) -> str:
    """A chart's id prefix, unique on the page: "staffing-0-phone"."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in str(name).lower())
    return f"{prefix}-{number}-{slug}"
