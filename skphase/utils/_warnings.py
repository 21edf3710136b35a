"""Warnings that point at the user's line, however deep inside skphase (and scikit-learn) they arise."""

from __future__ import annotations

import os
import sys
import warnings

import sklearn

_INTERNAL = tuple(os.path.dirname(m.__file__) + os.sep
                  for m in (sys.modules[__name__.split(".")[0]], sklearn))


def warn_external(message, category=UserWarning) -> None:
    """``warnings.warn`` with the stack level of the first frame outside skphase and scikit-learn.

    A fixed ``stacklevel`` breaks whenever a wrapper (``_fit_context``, a helper) adds a
    frame; this counts the frames instead, as Python 3.12's ``skip_file_prefixes`` does.
    """
    level, frame = 2, sys._getframe(1)  # stacklevel 1 would be this function
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
