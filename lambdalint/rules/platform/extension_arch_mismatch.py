from __future__ import annotations

from lambdalint.finding import Severity
from lambdalint.rules.platform import WheelVerdictRule


class ExtensionArchMismatch(WheelVerdictRule):
    """
    ## What it does
    Checks the CPU in every installed distribution's wheel platform tags against the
    function's architecture: `x86_64` wheels on an `arm64` function, or the reverse. Shared
    objects no wheel tag covers are judged from their ELF header (machine 62 is x86_64, 183
    is aarch64; 32-bit and big-endian ELF files too) and from their extension-name CPU.

    ## Why is this bad?
    A shared object for another CPU cannot be loaded: glibc skips it and reports
    `cannot open shared object file: No such file or directory`, or the module is not found.
    This happens when a layer is built on a laptop of the other architecture.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp312-cp312-manylinux_2_17_aarch64
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
    - [Lambda instruction set architectures](https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html)
    """

    id = "LL202"
    name = "extension-arch-mismatch"
    severity = Severity.ERROR
    summary = "Compiled distribution built for another CPU architecture than the function's"
    tags = ("platform", "binaries")
    symptom = "the loader refuses it (\"cannot open shared object file\")"
