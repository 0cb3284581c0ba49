"""A crawl of a published site through Datasette's own test client: every page its links reach, one of each kind."""

from __future__ import annotations

import re
import urllib.parse
from collections import deque

LINK = re.compile(r'(?:href|src)="([^"#]*)')
ROW_PAGE = re.compile(r"^/[^/?]+/[^/?]+/[^/?.]+$")


def local(url):
    url = url.replace("&amp;", "&")
    if url.startswith("http://localhost"):
        url = url[len("http://localhost"):]
    if not url.startswith("/") or url.startswith("//") or url.startswith(("/-/static", "/-/logout")):
        return None
    return url


def kind_of(link):
    """Links that differ only in query values (another facet, sort or page) show the same data another way."""
    path, _, query = link.partition("?")
    names = tuple(sorted({name for name, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)}))
    if ROW_PAGE.match(path):
        return path.rsplit("/", 1)[0] + "/<row>", names
    return path, names


async def crawl(ds, start, limit=3000):
    """Every page reachable from ``start`` by links, one page per kind of link (see :func:`kind_of`),
    up to 25 row pages per table, and no variation of a variation of one page (a facet of a
    sorted page): the full contents are dumped by SQL separately."""
    kinds, queue, pages = {}, deque(start), {}
    for link in start:
        kinds[kind_of(link)] = kinds.get(kind_of(link), 0) + 1
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = await ds.client.get(path)
        pages[path] = response
        if "html" not in response.headers.get("content-type", ""):
            continue
        for link in LINK.findall(response.text):
            link = local(link)
            if link is None or link in pages or link in queue:
                continue
            if "?" in path and "?" in link and link.partition("?")[0] == path.partition("?")[0]:
                continue  # a variation of a variation: facets of facets, sorts of pages...
            kind = kind_of(link)
            allowed = 25 if kind[0].endswith("/<row>") else 1
            if kinds.get(kind, 0) >= allowed:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            queue.append(link)
    assert not queue, f"crawl stopped at {limit} pages"
    return pages
