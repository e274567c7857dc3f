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

from .errors import CchcError, InputError, Issue  # noqa: E402
from .api import find_issues, load, score, to_frames  # noqa: E402
from .api import compare_previous, load_previous  # noqa: E402  (year over year: scoring/previous.py)

__all__ = ["load", "find_issues", "score", "to_frames", "load_previous", "compare_previous", "InputError", "CchcError",
           "Issue", "__version__"]
