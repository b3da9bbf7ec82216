"""The function's own code, read with the stdlib ast (libcst only where ast cannot read it)."""
