from __future__ import annotations

from lambdalint.finding import Severity
from lambdalint.rules.platform import WheelVerdictRule


class GlibcTooNew(WheelVerdictRule):
    """
    ## What it does
    Checks `manylinux_2_NN` wheel tags against the glibc of the runtime's OS: 2.26 on the
    Amazon Linux 2 runtimes (`python3.8` to `python3.11`), 2.34 on Amazon Linux 2023
    (`python3.12` and later). Shared objects no wheel tag covers are judged by the
    `GLIBC_2.NN` symbol versions they need, read from their version-needs table.

    ## Why is this bad?
    pip on a recent Linux picks the newest build, e.g. `manylinux_2_28` for cryptography or
    pydantic-core. On `python3.11` (glibc 2.26) it fails with
    `/lib64/libc.so.6: version 'GLIBC_2.28' not found`.

    ## Example
    ```deployment
    lambdalint check --runtime python3.11 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp311-cp311-manylinux_2_28_x86_64
    ```

    ## Use instead
    ```deployment
    lambdalint check --runtime python3.11 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp311-cp311-manylinux_2_17_x86_64
    ```

    ## Fix
    Install the build for the function's target from any machine with pip's platform
    options, as the finding's fix line shows:
    `pip install --platform manylinux2014_x86_64 --implementation cp --python-version 3.12
    --only-binary=:all: --target python/ PACKAGE` (use `manylinux2014_aarch64` for arm64).

    ## References
    - [Working with .zip archives and native libraries](https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries)
    - [PEP 600: manylinux_x_y tags](https://peps.python.org/pep-0600/)
    - [AL2023 glibc](https://docs.aws.amazon.com/linux/al2023/ug/core-glibc.html)
    """

    id = "LL204"
    name = "glibc-too-new"
    severity = Severity.ERROR
    summary = "Distribution built for a newer glibc than the runtime's Amazon Linux has"
    tags = ("platform", "binaries")
    symptom = "import fails with \"version GLIBC_2.x not found\""
