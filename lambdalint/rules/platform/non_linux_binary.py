from __future__ import annotations

from lambdalint.finding import Severity
from lambdalint.rules.platform import WheelVerdictRule


class NonLinuxBinary(WheelVerdictRule):
    """
    ## What it does
    Reports installed distributions whose wheel tags are for macOS (`macosx_*`) or Windows
    (`win_*`): a layer built with `pip install` on a developer's Mac or PC; and any binary
    whose bytes are Mach-O (thin or fat) or PE, or that is named `…-darwin.so` or `.pyd`.

    ## Why is this bad?
    Lambda runs Linux. A Mach-O or PE binary fails at import with `invalid ELF header`, or
    its module is not found at all because the file name is not a Linux extension name.

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp312-cp312-macosx_11_0_arm64
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
    - [Platform compatibility tags](https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/)
    """

    id = "LL203"
    name = "non-linux-binary"
    severity = Severity.ERROR
    summary = "Distribution built for macOS or Windows instead of Linux"
    tags = ("platform", "binaries")
    symptom = "the loader says \"invalid ELF header\" or the module is not found"
