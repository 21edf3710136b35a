"""Run the Python code blocks of README.md and doc/*.md.

Every fenced block opened with exactly ```python is collected. The blocks of one file
run in order in one fresh namespace (so a page can build on its earlier blocks), under
matplotlib's Agg backend and inside a temporary working directory (which is also where
``tempfile`` creates files), so nothing is written into the repository. A block whose
first line is

    # requires: torch, distributed

is skipped when one of the named modules cannot be imported; such blocks must be
self-contained. When blocks were skipped and all the others passed, the test reports a
skip that names them; any exception raised by a block fails the test and points at the
block's lines in the Markdown file.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "doc").glob("*.md"))]
DOC_PAGES = ("index", "filters", "phase_harmonics", "scattering", "backends", "datasets_metrics", "operators", "synthesis", "sparse_coding", "generative", "hostile_inputs", "seed")
# pages of tables and prose whose numbers come from the gallery's executed examples
PROSE_PAGES = ("seed",)

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_REQUIRES = re.compile(r"\A[ \t]*#[ \t]*requires:(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    source: str
    line: int  # line of the first code line in the Markdown file (1-based)
    requires: tuple[str, ...]


def extract_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, with their position and requirements."""
    blocks = []
    for match in _FENCE.finditer(text):
        source = match.group(1)
        line = text.count("\n", 0, match.start(1)) + 1
        req = _REQUIRES.match(source)
        names = tuple(n.strip() for n in req.group(1).split(",") if n.strip()) if req else ()
        blocks.append(Block(source, line, names))
    return blocks


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # a dotted name whose parent package is missing
        return False


def run_blocks(blocks: list[Block], filename: str) -> list[tuple[int, str]]:
    """Execute the blocks in one namespace; return (line, missing module) of the skipped ones."""
    namespace = {"__name__": "__main__"}
    skipped = []
    for block in blocks:
        missing = [name for name in block.requires if not _importable(name)]
        if missing:
            skipped.append((block.line, ", ".join(missing)))
            continue
        # Pad with newlines so that tracebacks give the line numbers of the Markdown file.
        code = compile("\n" * (block.line - 1) + block.source, filename, "exec")
        exec(code, namespace)
    return skipped


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", DOC_FILES, ids=_ids)
def test_doc_code_blocks_run(path, tmp_path, monkeypatch):
    blocks = extract_blocks(path.read_text(encoding="utf-8"))
    if path.stem in PROSE_PAGES and path.parent.name == "doc":
        assert not blocks, f"{_ids(path)} is a prose page: its code belongs in examples/"
        return
    assert blocks, f"{_ids(path)} has no ```python block"
    if importlib.util.find_spec("matplotlib") is not None:
        import matplotlib

        matplotlib.use("Agg", force=True)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # tempfile.mkdtemp() lands here too
    try:
        skipped = run_blocks(blocks, str(path))
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close("all")
    if skipped:
        where = "; ".join(f"line {line} needs {mods}" for line, mods in skipped)
        pytest.skip(f"{len(blocks) - len(skipped)} blocks passed, {len(skipped)} skipped: {where}")


def test_every_page_exists_and_is_linked_from_the_index():
    index = (ROOT / "doc" / "index.md").read_text(encoding="utf-8")
    for page in DOC_PAGES:
        assert (ROOT / "doc" / f"{page}.md").is_file(), page
        if page != "index":
            assert f"({page}.md)" in index, f"doc/index.md does not link {page}.md"
    for target in re.findall(r"\]\(([^)#:]+\.md)\)", index):
        assert (ROOT / "doc" / target).is_file(), f"doc/index.md links a missing page {target}"


def test_extract_blocks_finds_code_lines_and_requirements():
    text = ("intro\n```python\n# requires: torch, dask\nx = 1\n```\n"
            "text\n```bash\nls\n```\n```python\ny = x\n```\n")
    blocks = extract_blocks(text)
    assert [b.source for b in blocks] == ["# requires: torch, dask\nx = 1\n", "y = x\n"]
    assert [b.line for b in blocks] == [3, 11]
    assert blocks[0].requires == ("torch", "dask") and blocks[1].requires == ()


def test_a_broken_block_fails_with_its_markdown_line():
    text = "```python\nx = 1\n```\n\n```python\nassert x == 1\nraise ValueError('broken')\n```\n"
    with pytest.raises(ValueError, match="broken") as info:
        run_blocks(extract_blocks(text), "page.md")
    assert info.traceback[-1].lineno + 1 == 7  # pytest's lineno is 0-based


def test_blocks_share_one_namespace_and_missing_requirements_skip():
    text = ("```python\na = 2\n```\n"
            "```python\n# requires: a_module_that_does_not_exist\nraise RuntimeError\n```\n"
            "```python\nassert a == 2\n```\n")
    assert run_blocks(extract_blocks(text), "page.md") == [(5, "a_module_that_does_not_exist")]
