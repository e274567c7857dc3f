"""Chấm điểm Chỉ số cải cách hành chính (CCHC) cấp xã: the library.

The public API (documented in README.md, "The library"): ``load`` the inputs (paths or
plain dicts), validate them with ``find_issues`` (a list of Issue; not ``validate``, which
is the scoring.validate module), ``score`` them (Results: pure data,
``results.commune(code)``, ``results.communes()``, ``results.to_frames()``). ``InputError``
carries every problem found; ``Issue`` is one of them. cli.py calls the same functions.

Inside: ``scoring.files`` opens and parses files, ``scoring.quick`` holds the loading speed
paths, ``scoring.load`` builds the model, ``scoring.validate`` reports every problem,
``scoring.engine`` turns loaded data into results, ``scoring.writers`` writes them.
"""

__version__ = "0.1.0"
ENGINE_NAME = "cchc-scoring"

import sys as _sys  # noqa: E402
import types as _types  # noqa: E402

from .errors import CchcError, InputError, Issue  # noqa: E402
from .api import find_issues, load, score, to_frames  # noqa: E402
from .api import compare_previous, load_previous  # noqa: E402  (year over year: scoring/previous.py)


class _Package(_types.ModuleType):
    """``scoring.load`` stays the public function once the submodule scoring.load is imported.

    The loaders are imported on first use (a command that reads no input, such as decision,
    does not pay for numpy and the validators: issue 19), and the import system then sets
    the package's attribute ``load`` to the submodule it loaded; the module stays reachable
    as ``sys.modules["scoring.load"]`` (``from scoring.load import …``). Any other value set
    (a test's monkeypatch) replaces the function as an attribute would.
    """

    @property
    def load(self):
        return self.__dict__.get("_public_load", _load_function)

    @load.setter
    def load(self, value):
        if not isinstance(value, _types.ModuleType):
            self.__dict__["_public_load"] = value

    def __dir__(self):
        return sorted(set(super().__dir__()) | {"load"})


_load_function = load
del load
_sys.modules[__name__].__class__ = _Package

__all__ = ["load", "find_issues", "score", "to_frames", "load_previous", "compare_previous", "InputError", "CchcError",
           "Issue", "__version__"]
