"""The HTML page around the sections: one file, styles inline, no script, printable."""

from __future__ import annotations

import html
from collections.abc import Sequence

from wfm.report.sections import Section

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem;
     margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
nav ol { columns: 2; padding-left: 1.2rem; }
nav a { color: #0072B2; }
figure { margin: .8rem 0 1.2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .8rem; color: #555; margin-top: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
th { background: #f4f6f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:last-child td { border-bottom: 2px solid #bbb; }
p.note { font-size: .85rem; color: #444; }
p.missing, p.problem { background: #fff4e5; border-left: 4px solid #E69F00; padding: .5rem .8rem; }
p.solve { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
.meta { color: #555; font-size: .9rem; }
@media print {
  body { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-before: page; page-break-before: always; }
  section:first-of-type { break-before: auto; page-break-before: auto; }
}
"""


def render_page(title: str, meta: str, sections: Sequence[Section], problems: Sequence[str]) -> str:
    """The whole document: head with inline CSS, contents, problems box, sections."""
    contents = "".join(
        f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>\n' for s in sections
    )
    warnings = "".join(f'<p class="problem">{html.escape(p)}</p>\n' for p in problems)
    body = "".join(
        f'<section id="{s.key}">\n<h2>{html.escape(s.title)}</h2>\n{s.body}</section>\n'
        for s in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{html.escape(title)}</h1>\n<p class=meta>{html.escape(meta)}</p>\n"
        f"</header>\n{warnings}"
        f'<nav aria-label="contents">\n<ol>\n{contents}</ol>\n</nav>\n'
        f"{body}</body>\n</html>\n"
    )
