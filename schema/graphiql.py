"""The GraphiQL page: Strawberry's, explaining itself when its scripts cannot load.

GraphiQL's scripts come from a CDN (unpkg.com). Offline, or behind a proxy that blocks
it, Strawberry's page said "Loading..." forever. This page checks, in an inline
script that runs whether or not the CDN answered, that the scripts arrived; if not it
shows what failed, that the API at ``/graphql`` still works, and a curl example. Its
default tab holds ``PRODUCT_PAGE_QUERY`` (the README's first example, kept equal to it
by a test) and, in sandbox mode, the sandbox key's ``Authorization`` header.

The page is Strawberry's own template with a few anchored edits; an anchor that is no
longer there (a Strawberry upgrade) fails at start-up, not in a browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final

PRODUCT_PAGE_QUERY: Final = """\
# A product page: the star summary over all four platforms and 20 merged reviews.
{
  product(sku: "APP-1000") {
    name brand
    ratingSummary {
      count average
      distribution { oneStar twoStars threeStars fourStars fiveStars }
      providers { provider count average }
    }
    reviews(first: 20, orderBy: NEWEST) {
      totalCount
      edges { node { id provider kind rating ratingExact title body language
                     createdAt author { displayName country } media { type url }
                     reply { body } conversation { state comments { body
                     author { type } } } } }
      pageInfo { hasNextPage endCursor }
    }
    attributeSummaries { name average count }
  }
}"""

_SCRIPTS: Final = ("React", "ReactDOM", "Cookies", "GraphiQL", "GraphiQLPluginExplorer")

_OFFLINE: Final = """\
<div id="graphiql" class="graphiql-container">
      <p style="margin: 2em; font-family: sans-serif">Loading GraphiQL from
      unpkg.com&hellip; (if this stays, the browser cannot reach unpkg.com; the API
      works without it)</p>
    </div>
    <div id="graphiql-offline" hidden style="margin: 2em; max-width: 48em;
         font-family: sans-serif; line-height: 1.5; height: 100vh; overflow: auto">
      <h1>GraphiQL could not load</h1>
      <p>This page could not load the GraphiQL scripts from unpkg.com, a CDN: the
      browser is offline, or a proxy or content blocker stopped them.</p>
      <p>The API at <code>/graphql</code> still works (it needs no CDN). Ask it from a
      shell, for example:</p>
      <pre id="graphiql-curl">curl -s http://127.0.0.1:8000/graphql \\
  -H 'Content-Type: application/json' \\
  -d '{"query": "{ catalog(first: 5) { edges { node { sku name } } } }"}'</pre>
      <p>Server keys go in an <code>Authorization: Bearer &lt;key&gt;</code> header.
      The README holds more example queries.</p>
    </div>"""

_GUARD: Final = """\
<script>
      const GRAPHIQL_MISSING = %s;
      if (GRAPHIQL_MISSING) {
        document.getElementById("graphiql").style.display = "none";
        document.getElementById("graphiql-offline").hidden = false;
        const curl = document.getElementById("graphiql-curl");
        curl.textContent = curl.textContent.replace(
          "http://127.0.0.1:8000", window.location.origin
        );
      }
    </script>
    <script>
      if (!GRAPHIQL_MISSING) {"""


def _js(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside a ``<script>``."""
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")


def _edit(page: str, anchor: str | re.Pattern[str], replacement: str) -> str:
    if isinstance(anchor, str):
        if page.count(anchor) != 1:
            raise RuntimeError(f"GraphiQL template changed: {anchor[:40]!r}")
        return page.replace(anchor, replacement)
    edited, count = anchor.subn(lambda _: replacement, page)
    if count != 1:
        raise RuntimeError(f"GraphiQL template changed: {anchor.pattern[:40]!r}")
    return edited


def graphiql_page(template: str, headers: Mapping[str, str]) -> str:
    """Strawberry's GraphiQL ``template`` with the fallback, query and ``headers``."""
    missing = " || ".join(f'typeof {name} === "undefined"' for name in _SCRIPTS)
    constants = (
        f"const DEFAULT_QUERY = {_js(PRODUCT_PAGE_QUERY)};\n"
        f"      const DEFAULT_HEADERS = {_js(dict(headers))};\n"
        "      const DEFAULT_HEADERS_TEXT = Object.keys(DEFAULT_HEADERS).length\n"
        "        ? JSON.stringify(DEFAULT_HEADERS, null, 2)\n"
        "        : undefined;\n"
        "      const EXAMPLE_QUERY = DEFAULT_QUERY;"
    )
    page = _edit(
        template,
        '<div id="graphiql" class="graphiql-container">Loading...</div>',
        _OFFLINE,
    )
    page = _edit(
        page,
        "<script>\n      const EXAMPLE_QUERY",
        _GUARD % missing + "\n      const EXAMPLE_QUERY",
    )
    page = _edit(page, re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.S), constants)
    page = _edit(
        page,
        "React.useState(parameters.headers)",
        "React.useState(parameters.headers || DEFAULT_HEADERS_TEXT)",
    )
    page = _edit(
        page,
        "          query: query,\n",
        "          query: query,\n"
        "          defaultQuery: DEFAULT_QUERY,\n"
        "          defaultHeaders: DEFAULT_HEADERS_TEXT,\n",
    )
    render = "root.render(React.createElement(GraphiQLWithExplorer));\n"
    return _edit(page, render + "    </script>", render + "      }\n    </script>")
