"""Optional dependencies (the extras in ``pyproject.toml``), imported only where needed."""

from __future__ import annotations

import importlib
from types import ModuleType


def import_optional(module: str, extra: str, purpose: str, *also: str) -> ModuleType:
    """Import ``module`` (and check that the modules ``also`` import), or raise an
    :class:`ImportError` saying that ``purpose`` needs them and which extra installs them."""
    try:
        for name in also:
            importlib.import_module(name)
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        needed = " and ".join((module, *also))
        raise ImportError(f"{purpose} needs {needed}: pip install 'spinesim[{extra}]'") from exc
