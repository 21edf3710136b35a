"""Look at the built documentation as a reader would: open pages in headless Chromium.

Usage (after ``python -m sphinx -W -b html doc doc/_build/html``)::

    python doc/check_site.py [doc/_build/html]

For the API index, one estimator page and the gallery index it checks, in the page
as Chromium rendered it (scripts run, styles applied), that the expected title is
there, that the page has its links, and that every image actually loaded
(``naturalWidth > 0``: a broken ``src`` renders as nothing). It also saves a
screenshot of each page to ``<build>/../screenshots/`` (build artefacts, not
committed) and checks that the screenshot is not blank. Exit status 0 when every
check passes, 1 otherwise, 2 when no Chromium is installed (Debian: ``apt-get
install chromium``).

How it reads the rendered page without a browser-automation library: a small
probe page, written next to the site, loads the page in an iframe and writes what it
finds into its own body; Chromium's ``--dump-dom`` prints that body.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("plot_*.py"))


def _examples_using(name: str) -> int:
    return sum(name in path.read_text(encoding="utf-8") for path in _EXAMPLES)


# page, the text its title must contain, the least number of loaded images it must show:
# one thumbnail per example in the gallery, and on an estimator's page one per example using it
PAGES = [
    ("api.html", "API reference", 0),
    ("generated/skphase.PhaseHarmonicTransform.html", "PhaseHarmonicTransform",
     min(1, _examples_using("PhaseHarmonicTransform"))),
    ("auto_examples/index.html", "Gallery", len(_EXAMPLES)),
]

_PROBE = """<!doctype html><html><body><div id="result">pending</div>
<iframe id="f" src="{src}" style="width:1280px;height:2000px"></iframe>
<script>
const frame = document.getElementById("f");
frame.addEventListener("load", () => {{
  setTimeout(() => {{
    const d = frame.contentDocument;
    const imgs = Array.from(d.images);
    for (const img of imgs) img.scrollIntoView();  // lazy images load once seen
    setTimeout(() => {{
      const out = {{
        title: d.title,
        h1: Array.from(d.querySelectorAll("h1")).map(h => h.textContent.trim()),
        links: d.links.length,
        images: imgs.length,
        loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
        broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute("src")),
        text: d.body.innerText.length,
      }};
      document.getElementById("result").textContent = "RESULT" + JSON.stringify(out) + "END";
    }}, 1500);
  }}, 500);
}});
</script></body></html>
"""

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--allow-file-access-from-files", "--hide-scrollbars"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(browser: str, args: list[str], profile: str) -> str:
    cmd = [browser, *_FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return done.stdout


def _not_blank(png: Path) -> bool:
    from PIL import Image  # Pillow comes with matplotlib, a docs dependency

    with Image.open(png) as im:
        lo, hi = im.convert("L").getextrema()
    return hi - lo > 50


def check(build: Path) -> list[str]:
    """Every failed check, as a sentence (empty: all passed)."""
    browser = _chromium()
    if browser is None:
        raise FileNotFoundError("no Chromium found (Debian: apt-get install chromium)")
    shots = build.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory() as profile:
        for page, title, min_images in PAGES:
            path = build / page
            if not path.is_file():
                failures.append(f"{page}: not built")
                continue
            probe = build / "_probe.html"
            probe.write_text(_PROBE.format(src=page), encoding="utf-8")
            try:
                dom = _run(browser, ["--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                           profile)
            finally:
                probe.unlink()
            found = re.search(r"RESULT(.*?)END", dom, re.DOTALL)
            if not found:
                failures.append(f"{page}: the page did not finish loading in Chromium")
                continue
            info = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
            shot = shots / (page.replace("/", "_").removesuffix(".html") + ".png")
            _run(browser, ["--window-size=1280,1600", f"--screenshot={shot}", path.as_uri()], profile)
            print(f"{page}: title {info['title']!r}, {info['links']} links, "
                  f"{info['loaded']}/{info['images']} images loaded, screenshot {shot}")
            if title not in info["title"] and not any(title in h for h in info["h1"]):
                failures.append(f"{page}: title {info['title']!r} does not contain {title!r}")
            if info["links"] < 10 or info["text"] < 200:
                failures.append(f"{page}: rendered almost empty ({info['links']} links, "
                                f"{info['text']} characters)")
            if info["broken"]:
                failures.append(f"{page}: images that did not load: {info['broken'][:5]}")
            if info["loaded"] < min_images:
                failures.append(f"{page}: {info['loaded']} images loaded, expected at least {min_images}")
            if not shot.is_file() or not _not_blank(shot):
                failures.append(f"{page}: the screenshot is missing or blank")
    return failures


def main(argv: list[str]) -> int:
    build = Path(argv[1] if len(argv) > 1 else "doc/_build/html").resolve()
    try:
        failures = check(build)
    except FileNotFoundError as exc:
        print(exc)
        return 2
    for failure in failures:
        print("FAILED:", failure)
    print("site check:", "passed" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
