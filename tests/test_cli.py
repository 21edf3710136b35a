"""The README's first command: `skphase demo` runs end to end on packaged data."""

import pytest

from skphase.cli import demo, main


def test_demo_reports_and_saves_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    report = demo(str(tmp_path), quick=True, families=False)
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


def test_demo_runs_each_family_part(tmp_path, capsys, monkeypatch):
    import importlib

    calls = []
    for module, func in (("skphase.synthesis._demo", "demo_synthesis"),
                         ("skphase.sparse_coding._demo", "demo_classification"),
                         ("skphase.generative._demo", "demo_generation")):
        mod = importlib.import_module(module)

        def fake(output_dir, quick, _name=func):
            calls.append((_name, output_dir, quick))
            return {"figures": [f"{output_dir}/{_name}.png"], "score": 1.0}

        monkeypatch.setattr(mod, func, fake)
    from skphase.cli import _family_demos

    report = {"figures": []}
    _family_demos(report, str(tmp_path), True)
    names = [c[0] for c in calls]
    assert names[:2] == ["demo_synthesis", "demo_classification"]
    assert all(c[1] == str(tmp_path) and c[2] is True for c in calls)
    assert report["synthesis"] == {"score": 1.0}
    assert f"{tmp_path}/demo_synthesis.png" in report["figures"]
    assert "[4/6] synthesis" in capsys.readouterr().out


def test_warmup_command_runs_the_warm_up(capsys, monkeypatch):
    import skphase._warmup as warmup

    monkeypatch.setattr(warmup, "warm_up", lambda: {"seconds": 1.5, "uncompiled": ["_k"]})
    assert main(["warmup"]) == 0
    out = capsys.readouterr().out
    assert "compiled and cached in 1.5 s" in out and "not reached: _k" in out
