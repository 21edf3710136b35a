"""pytest collects the package's doctests by importing every module: the torch-only ones are left
out when torch is not installed (``import skphase`` never imports them)."""

import importlib.util

collect_ignore = ([] if importlib.util.find_spec("torch") else
                  [f"skphase/sparse_coding/{name}" for name in
                   ("_torch_models.py", "_distributed.py", "_image_folder.py")])
