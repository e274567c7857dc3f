"""Chấm điểm Chỉ số cải cách hành chính (CCHC) cấp xã.

The engine is pure: ``scoring.load`` reads files into plain data, ``scoring.validate``
reports every problem, ``scoring.engine`` turns loaded data into results, and
``scoring.writers`` writes them. ``cli.py`` only connects these pieces.
"""

__version__ = "0.1.0"
ENGINE_NAME = "cchc-scoring"
