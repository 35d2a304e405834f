"""Polling trigger handlers, one module per Luma resource. Every module here is imported, which registers its
handlers on `luma.luma`: a new resource needs only its file."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
