"""The project speaks for itself: its references are current, its links stay inside it,
and its package metadata installs without a warning."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
INLINE_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>")
BARE_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.I)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"cityid_script_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cli_reference_is_what_the_commands_say() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == _script("cli_reference").render(), (
        "docs/cli.md is stale: run python scripts/cli_reference.py"
    )
    assert "## `cityid serve`" in page and "`--workers`" in page


def test_the_http_reference_is_what_the_openapi_document_says() -> None:
    page = (ROOT / "docs" / "http.md").read_text(encoding="utf-8")
    assert page == _script("http_reference").render(), (
        "docs/http.md is stale: run python scripts/http_reference.py"
    )
    assert "### `POST /api/v1/verify`" in page


def _prose(text: str) -> str:
    """The text a reader sees as prose: code blocks and code spans are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(h) for h in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8")))}


def link_problems(path: Path) -> list[str]:
    """Every link in a Markdown file that leaves the repository or leads nowhere."""
    prose = _prose(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)
    problems = [f"{where}: links outside the repository: {url}" for url in BARE_URL.findall(prose)]
    problems += [f"{where}: autolink {url}" for url in AUTOLINK.findall(prose)]
    targets = INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)
    for target in targets:
        if SCHEME.match(target) or target.startswith("//"):
            problems.append(f"{where}: links outside the repository: {target}")
            continue
        if target.startswith("/"):
            problems.append(f"{where}: not a relative link: {target}")
            continue
        file_part, _, fragment = target.partition("#")
        goal = (path.parent / file_part).resolve() if file_part else path
        if ROOT not in goal.parents and goal != ROOT:
            problems.append(f"{where}: leaves the repository: {target}")
        elif not goal.exists():
            problems.append(f"{where}: no such file: {target}")
        elif fragment and goal.suffix == ".md" and fragment not in _anchors(goal):
            problems.append(f"{where}: no heading #{fragment} in {file_part or where}")
    return problems


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_is_relative_and_leads_somewhere(path: Path) -> None:
    problems = link_problems(path)
    assert not problems, "\n".join(problems)


def test_the_link_check_catches_what_it_should(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("# A heading\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/here.md#a-heading) `https://in.code.example` [web](https://x.example)\n"
        "[gone](docs/missing.md) [abs](/etc/passwd) [up](../outside.md) see www.example.org\n"
        "[nohead](docs/here.md#nope) <mailto:a@b.example>\n"
    )
    found = "\n".join(link_problems(page))
    for bad in ("https://x.example", "missing.md", "/etc/passwd", "../outside.md",
                "www.example.org", "#nope", "mailto:a@b.example"):  # fmt: skip
        assert bad in found, bad
    assert "here.md#a-heading" not in found and "in.code.example" not in found


def test_the_package_declares_an_spdx_license_that_setuptools_reads_without_warning() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    license_ = project["project"]["license"]
    assert isinstance(license_, str) and license_ == "Apache-2.0"  # PEP 639, not a table
    assert not any("License ::" in c for c in project["project"].get("classifiers", []))
    for pattern in project["project"]["license-files"]:
        assert list(ROOT.glob(pattern)), pattern
    requires = project["build-system"]["requires"]
    setuptools = next(r for r in requires if r.startswith("setuptools"))
    assert re.fullmatch(r"setuptools>=(\d+).*", setuptools)
    assert int(re.fullmatch(r"setuptools>=(\d+).*", setuptools).group(1)) >= 77  # type: ignore[union-attr]
