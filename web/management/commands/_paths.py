"""Where the bundled example is (this checkout's criteria/ and submissions/)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_SET = ROOT / "submissions" / "tu-mo-rong-2023"
EXAMPLE = {"criteria": ROOT / "criteria" / "tu-mo-rong-2023.json", "submissions": _SET / "communes",
           "appraisal": _SET / "appraisal.json", "survey": _SET / "survey.json", "registry": _SET / "registry.json"}
