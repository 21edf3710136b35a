"""Every row of doc/hostile_inputs.md is run: the documented outcome is the real one.

A row is ``| `call` | Exception: "fragment" |`` (the call must raise that exception, or a
subclass, with the fragment in its message) or ``| `call` | works |``. The page's first
Python block defines the names the rows use.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "doc" / "hostile_inputs.md"
_ROW = re.compile(r'^\| `(?P<call>[^`]+)` \| (?:(?P<works>works)|(?P<exc>\w+): "(?P<fragment>[^"]+)") \|$')
_SETUP = re.compile(r"^```python[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _rows() -> list[tuple[int, re.Match]]:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    return [(i + 1, m) for i, line in enumerate(lines) if (m := _ROW.match(line))]


ROWS = _rows()


def test_the_page_has_rows_for_every_family():
    calls = " ".join(m["call"] for _, m in ROWS)
    for name in ("PhaseHarmonicTransform", "ScatteringAverager", "SparseDictionaryCoder",
                 "LISTAClassifier", "PhaseHarmonicSynthesizer", "GaussianSynthesizer",
                 "CrossScalePredictor", "ScatteringGenerator"):
        assert name in calls, name
    # a table row whose format the pattern misses would silently not be checked
    table_rows = [line for line in PAGE.read_text(encoding="utf-8").splitlines()
                  if line.startswith("| `")]
    assert len(table_rows) == len(ROWS)


@pytest.fixture(scope="module")
def namespace():
    setup = _SETUP.search(PAGE.read_text(encoding="utf-8")).group(1)
    ns: dict = {}
    exec(compile(setup, str(PAGE), "exec"), ns)
    return ns


@pytest.mark.parametrize("line,row", ROWS, ids=[f"line{n}" for n, _ in ROWS])
def test_row(namespace, line, row):
    import builtins

    if row["call"].startswith("ScatteringGenerator") or "fit_image_folder" in row["call"]:
        pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if row["works"]:
            eval(row["call"], dict(namespace))
            return
        expected = getattr(builtins, row["exc"])
        with pytest.raises(expected) as info:
            eval(row["call"], dict(namespace))
    assert row["fragment"] in str(info.value), (
        f"doc/hostile_inputs.md:{line}: {row['call']} raised {type(info.value).__name__}: "
        f"{info.value}")
