"""MkDocs hooks for the documentation site (`mkdocs.yml` names this file).

The pages are written to read well in two places: on the repository's own file view, where
`docs/endpoints.md` links to `../README.md` and `../openapi/openai.yaml`, and in the built
site. So that both work and `mkdocs build --strict` still checks every link:

- the README is the site's home page (the one page outside `docs/`);
- a link is resolved against the repository, as its file view resolves it, then rewritten
  for the site: to the page when it is the README or a page of `docs/`, to its bare text when
  it names another file of the repository (the site does not carry source files); a link to
  a file that does not exist is left to MkDocs, which warns, so the strict build fails;
- the built site loads nothing from the network (no CDN script, font or stylesheet): a page
  or stylesheet that would is a warning too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = get_plugin_logger("docs_hooks")

ROOT = Path(__file__).resolve().parent.parent
DOCS = "docs"

# Read left to right: a fenced block, an inline link or image (`[text](target)`, or with a
# "title"; its text may hold code spans), or a code span. Blocks and spans stay as they are,
# so a link shown as code is not rewritten. Reference-style links are not used in the pages.
TOKEN = re.compile(
    r"(?P<fence>^[ \t]*(?P<mark>```|~~~).*?^[ \t]*(?P=mark)[ \t]*$)"
    r"|(?P<link>(?P<label>!?\[(?P<text>[^\]]*)\])\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\))"
    r"|(?P<span>(?P<ticks>`+).+?(?P=ticks))",
    re.M | re.S,
)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)
# What a browser fetches by itself: the attribute of each tag that names it, and a
# stylesheet's url(...) and @import.
LOADED_BY = {"script": "src", "img": "src", "iframe": "src", "source": "src", "link": "href"}
CSS_LOAD = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])((?:https?:)?//[^'\")\s]+)")


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    """The README becomes the site's home page (`index.html`)."""
    files.append(File.generated(config, "README.md", abs_src_path=str(ROOT / "README.md")))
    return files


def on_page_markdown(markdown: str, page: Page, **_: Any) -> str:
    """Each relative link, resolved as the repository's file view resolves it, rewritten for
    the site."""
    here = PurePosixPath(DOCS, page.file.src_uri).parent
    if page.file.src_uri == "README.md":
        here = PurePosixPath(".")

    def rewrite(link: re.Match[str]) -> str:
        if link["link"] is None:
            return link[0]
        target = link["target"]
        if EXTERNAL.match(target) or target.startswith("#"):
            return link[0]
        path, _, anchor = target.partition("#")
        in_repo = normalised(here / path)
        if in_repo is None or not (ROOT / in_repo).exists():
            return link[0]  # MkDocs finds no such page and says so: a strict build fails
        if in_repo.parts[0] == DOCS or in_repo == PurePosixPath("README.md"):
            site_path = PurePosixPath(*in_repo.parts[1:]) if in_repo.parts[0] == DOCS else in_repo
            page_dir = PurePosixPath(page.file.src_uri).parent
            relative = relative_to(site_path, page_dir)
            fragment = f"#{anchor}" if anchor else ""
            return f"{link['label']}({relative}{fragment}{link['title'] or ''})"
        return link["text"]  # a source file: named, not linked, in the site

    return TOKEN.sub(rewrite, markdown)


def on_post_build(config: MkDocsConfig, **_: Any) -> None:
    """No page or stylesheet of the site loads anything from the network."""
    site = Path(config.site_dir)
    for html in site.rglob("*.html"):
        finder = ExternalResources()
        finder.feed(html.read_text())
        for tag, url in finder.found:
            log.warning(f"{html.relative_to(site)}: <{tag}> loads {url} from the network")
    for css in site.rglob("*.css"):
        for url in CSS_LOAD.findall(css.read_text()):
            log.warning(f"{css.relative_to(site)}: loads {url} from the network")


class ExternalResources(HTMLParser):
    """The network addresses a page would load by itself (links a reader follows are fine)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        url = dict(attrs).get(LOADED_BY.get(tag, ""))
        if url and EXTERNAL.match(url) and not url.startswith(("data:", "mailto:")):
            self.found.append((tag, url))


def normalised(path: PurePosixPath) -> PurePosixPath | None:
    """`path` with `..` and `.` resolved, or None when it leaves the repository or is its
    root."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else None


def relative_to(target: PurePosixPath, start: PurePosixPath) -> str:
    """`target` relative to the folder `start`, both inside the site's sources."""
    ups = [".."] * len([part for part in start.parts if part != "."])
    return str(PurePosixPath(*ups, target))
