"""The `cqdt` command: argument handling and printing only; the work is in the library.

`app` holds the group and the data commands; the flow, form and site areas add theirs.
"""

from . import flow, forms, site  # noqa: F401  (each registers its commands on `main`)
from .app import main, run

__all__ = ["main", "run"]
