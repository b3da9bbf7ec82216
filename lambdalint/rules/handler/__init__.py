"""LL4xx: the handler's contract, read from the code (never imported)."""
