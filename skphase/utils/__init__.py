"""Internal utilities (validation, batching)."""
