from __future__ import annotations

from lambdalint.finding import Severity
from lambdalint.rules.platform import WheelVerdictRule


class MuslBinary(WheelVerdictRule):
    """
    ## What it does
    Reports installed distributions whose wheel tags are `musllinux_*`: built on Alpine or
    in an Alpine container; and shared objects whose loader or `DT_NEEDED` names musl
    (`ld-musl-…`, `libc.musl-…`), or whose name ends in `-linux-musl.so`.

    ## Why is this bad?
    Amazon Linux uses glibc; a musl build needs `libc.musl-x86_64.so.1`, which is not there,
    so the import fails with `cannot open shared object file`.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp312-cp312-musllinux_1_2_x86_64
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.12 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp312-cp312-manylinux_2_17_x86_64
    ```

    ## Fix
    Install the build for the function's target from any machine with pip's platform
    options, as the finding's fix line shows:
    `pip install --platform manylinux2014_x86_64 --implementation cp --python-version 3.12
    --only-binary=:all: --target python/ PACKAGE` (use `manylinux2014_aarch64` for arm64).

    ## References
    - [Working with .zip archives and native libraries](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries)
    - [PEP 656: musllinux tags](https://peps.python.org/pep-0656/)
    """

    id = "LL205"
    name = "musl-binary"
    severity = Severity.ERROR
    summary = "Distribution built for musl libc (Alpine), which Amazon Linux does not have"
    tags = ("platform", "binaries")
    symptom = "the loader cannot find libc.musl"
