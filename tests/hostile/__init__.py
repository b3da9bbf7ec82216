"""Hostile inputs for lambdalint's robustness tests, generated at test time."""
