"""`lambdalint check --fix`: what repairs a finding's ``Fix`` describes, made on disk.

``apply`` runs the passes (fix, check again, until nothing is left to fix) on staged copies
and then writes them over the user's files, or shows them (``--diff``); ``zipwrite``
rewrites a zip entry by entry without recompressing; ``codemods`` rewrites the function's
own code with libcst; ``scalars`` edits one value of a template or config in place. Only a
run with ``--fix``, ``--unsafe-fixes``, ``--diff`` or ``--fix-only`` imports this package.
"""
