"""The image-folder path of LISTAClassifier: features of a class-per-folder data set computed
and trained on by ``torchrun`` worker processes (skphase.sparse_coding._distributed), launched
and stopped from here. Kept apart so the classifier stays a plain estimator on arrays."""

from __future__ import annotations

import numpy as np


def _scattering_output_shape(image_size: int, J: int, L: int):
    from ._distributed import _Scattering

    return _Scattering(image_size, J, L, "cpu").output_shape_


def _torchrun_command(root: str, out: str, config: dict, n_processes: int):
    """(argv, env) of the torchrun run: every value as ``--flag=value`` (a root or checkpoint
    named ``-x`` stays a value), paths absolute, and neither torchrun nor its workers put the
    current directory on ``sys.path`` (``python -P`` and ``PYTHONSAFEPATH=1``: a planted
    ``skphase/`` or ``torch.py`` in the working directory is not imported)."""
    import os
    import sys

    import skphase

    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(skphase.__file__)))
    # --no-python: torchrun starts "python -P -m skphase..." itself, not "python -m" (cwd first)
    cmd = [sys.executable, "-P", "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={n_processes}", "--no-python", sys.executable, "-P", "-m",
           "skphase.sparse_coding._distributed", f"--root={os.path.abspath(root)}",
           f"--out={os.path.abspath(out)}"]
    for key, value in config.items():
        flag = "--" + key.replace("_", "-")
        if key == "checkpoint" and value is not None:
            value = os.path.abspath(value)
        if isinstance(value, bool):
            cmd += [flag] if value else []
        elif value is not None:
            cmd.append(f"{flag}={value}")
    env = {**os.environ, "PYTHONSAFEPATH": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [package_parent,
                                                       os.environ.get("PYTHONPATH")]))}
    return cmd, env


def _stop_process_group(proc, grace: float = 10.0) -> None:
    """SIGTERM to torchrun's whole session (launcher and workers), SIGKILL after ``grace`` s."""
    import os
    import signal
    import subprocess

    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=wait)
            # the workers may outlive the launcher by a moment: the group gets the signal too
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        except subprocess.TimeoutExpired:
            continue
        return


def _torchrun(root: str, config: dict, n_processes: int, stop=None) -> dict:
    """Run the folder training under torchrun in a subprocess; its rank 0 result, loaded.

    torchrun runs in its own session (the terminal's Ctrl-C reaches only this process); when
    ``stop`` is set (Ctrl-C here) or anything goes wrong, the whole session (launcher and
    workers) is terminated before this returns: no orphan keeps training. An interrupted run
    raises ``KeyboardInterrupt`` (there is no model to keep: ``checkpoint`` and ``resume=True``
    continue from the last finished epoch).
    """
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.npz")
        cmd, env = _torchrun_command(root, out, config, n_processes)
        with open(os.path.join(tmp, "log"), "w+b") as log:
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                while True:
                    try:
                        proc.wait(timeout=0.1)
                        break
                    except subprocess.TimeoutExpired:
                        if stop is not None and stop.is_set():
                            raise KeyboardInterrupt(
                                f"fit_image_folder interrupted: the {n_processes} torchrun "
                                f"processes were stopped; the estimator is unchanged") from None
            finally:
                _stop_process_group(proc)
            log.seek(0)
            output = log.read().decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"torchrun with {n_processes} processes failed (exit "
                               f"{proc.returncode}):\n{output[-3000:]}")
        with np.load(out, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
