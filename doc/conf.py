"""Sphinx configuration of skphase's documentation site.

Build: ``python -m sphinx -W -b html doc doc/_build/html`` (after ``pip install ".[docs]"``).
The user-guide pages stay Markdown (MyST); the API reference is generated from the
docstrings (numpydoc) for every name in the public ``__all__`` lists; the gallery is
``examples/`` executed by sphinx-gallery.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # document the checkout being built, not an older installed copy
os.environ.setdefault("MPLBACKEND", "Agg")

import skphase  # noqa: E402

project = "skphase"
author = "skphase developers"
copyright = "2026, skphase developers"
release = version = skphase.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "auto_examples/*.json",
                    "auto_examples/*.md5"]
templates_path = ["_templates"]

myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # some guide pages start their sections at ### under a table

autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters section already gives the types
numpydoc_show_class_members = False  # the class template lists the methods once
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

html_theme = "pydata_sphinx_theme"
html_title = f"skphase {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_end": ["navbar-icon-links"],
}
html_static_path: list[str] = []

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    "min_reported_time": 1,
    "doc_module": ("skphase",),
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": False,
}

# --- the API reference, generated from the public names ------------------------------
# One section per public module; every name in its __all__ gets a page. Writing the
# index at build time keeps it equal to __all__ (a name added to __all__ gets a page;
# one removed loses it) instead of a list kept by hand.
API_MODULES = [
    ("skphase", "Estimators and configuration",
     "The transformers and estimators, re-exported at the top, and the global settings."),
    ("skphase.filters", "Filter banks", "Fourier-domain Morlet and bump wavelets, low-pass filters, padding."),
    ("skphase.operators", "Operators",
     "The transforms as differentiable operators: ``forward(x)`` and ``vjp(x)`` on any backend."),
    ("skphase.backends", "Backends", "The array primitives the operators are written over, and their registry."),
    ("skphase.synthesis", "Synthesis and moment models",
     "Moment models, the phase-harmonic and Gaussian synthesizers, prediction across scales."),
    ("skphase.sparse_coding", "Sparse coding", "Lasso solvers, the dictionary coder and the LISTA classifier."),
    ("skphase.generative", "Generation", "The scattering generator."),
    ("skphase.datasets", "Datasets", "Processes and images with known statistics, generated or packaged."),
    ("skphase.metrics", "Metrics", "How close a synthesis is to its target."),
    ("skphase.plotting", "Plotting", "Figures of filter banks, coefficients and comparisons."),
]


def _public_objects(modname: str) -> list[tuple[str, object]]:
    module = importlib.import_module(modname)
    objects = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if isinstance(obj, type(sys)) or name.startswith("__"):
            continue  # subpackages have their own section; __version__ is no API page
        objects.append((name, obj))
    return objects


def _write_api_index() -> None:
    lines = ["API reference", "=============", "",
             "Every public class and function, generated from its docstring. A class exported",
             "both at the top (``from skphase import ...``) and by its family has one page,",
             "under the top-level name; the family's section links to it.", ""]
    documented: dict[int, str] = {}  # id(object) -> the name of its page
    for modname, title, blurb in API_MODULES:
        objects = _public_objects(modname)
        own = [(n, o) for n, o in objects if id(o) not in documented]
        elsewhere = [documented[id(o)] for n, o in objects if id(o) in documented]
        if not objects:
            continue
        lines += [title, "-" * len(title), "", f".. currentmodule:: {modname}", "", blurb, ""]
        if own:
            lines += [".. autosummary::", "   :toctree: generated", "   :template: autosummary/entry.rst", ""]
            lines += [f"   {name}" for name, _ in own]
            lines.append("")
        if elsewhere:
            lines += ["Also part of this family: " + ", ".join(
                f":obj:`~{full}`" for full in elsewhere) + ".", ""]
        for name, obj in own:
            documented[id(obj)] = f"{modname}.{name}"
    text = "\n".join(lines)
    path = HERE / "api.rst"
    if not path.exists() or path.read_text() != text:  # unchanged file: no rebuild of every page
        path.write_text(text)


_write_api_index()
