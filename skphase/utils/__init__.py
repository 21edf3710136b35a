"""Shared helpers: input validation (``_validation``), parameter declarations, progress bars."""
