"""The README and docs/: every relative link and image resolves, and the README stays short."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def relative_targets(page: Path) -> list[str]:
    targets = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # http(s), mailto, and anchors within the page
        targets.append(target.split("#", 1)[0])
    return targets


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves(page):
    missing = [target for target in relative_targets(page) if not (page.parent / target).exists()]

    assert missing == []


def test_every_docs_page_is_reachable_from_the_readme():
    linked = {(ROOT / target).resolve() for target in relative_targets(ROOT / "README.md")}

    assert [page.name for page in PAGES[1:] if page.resolve() not in linked] == []


def test_the_readme_fits_in_about_12_kb():
    assert len((ROOT / "README.md").read_bytes()) <= 12 * 1024
