"""The README's first command: `skphase demo` runs end to end on packaged data."""

import pytest

from skphase.cli import demo, main


def test_demo_reports_and_saves_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    report = demo(str(tmp_path), quick=True)
    assert report["reconstruction_rel_error"] < 1e-6
    assert report["digits_accuracy"] > 0.9
    for path in report["figures"]:
        assert (tmp_path / path.split("/")[-1]).stat().st_size > 10_000
    out = capsys.readouterr().out
    assert "accuracy" in out and "relative error" in out


def test_cli_requires_a_command(capsys):
    with pytest.raises(SystemExit):
        main([])
    assert "usage" in capsys.readouterr().err
