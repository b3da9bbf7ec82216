from __future__ import annotations

from lambdalint.finding import Severity
from lambdalint.rules.platform import WheelVerdictRule


class ExtensionAbiMismatch(WheelVerdictRule):
    """
    ## What it does
    Checks every installed distribution's `WHEEL` tags: a build tagged for another CPython
    (`cp311` on `python3.12`) is reported, unless it is a stable-ABI (`abi3`) build for the
    same or an older Python. An extension module no wheel tag covers is judged by its file
    name (`_x.cpython-311-x86_64-linux-gnu.so` on `python3.12`).

    ## Why is this bad?
    Extension modules are built for one CPython version. Python 3.12 does not even look at
    `_speedups.cpython-311-x86_64-linux-gnu.so`, so the import fails with
    `No module named 'markupsafe._speedups'` (the classic
    `No module named 'pydantic_core._pydantic_core'`).

    ## Example
    ```deployment
    lambdalint check --runtime python3.12 --architecture x86_64 deps-layer.zip
    deps-layer.zip:
        python/example/__init__.py
        python/ex-1.0.dist-info/RECORD  text=example/__init__.py,,
        python/ex-1.0.dist-info/WHEEL  text=Tag: cp311-cp311-manylinux_2_17_x86_64
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
    - [pydantic on AWS Lambda](https://docs.pydantic.dev/latest/integrations/aws_lambda/)
    """

    id = "LL201"
    name = "extension-abi-mismatch"
    severity = Severity.ERROR
    summary = "Compiled distribution built for another CPython version than the runtime's"
    tags = ("platform", "binaries")
    symptom = ("import fails with \"No module named ...\": CPython does not recognise an "
               "extension built for another version")
