"""lambdalint: catch AWS Lambda Python deployment failures before deploy."""

__version__ = "0.1.0"
