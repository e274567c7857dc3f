"""Provisional results (kết quả TẠM TÍNH): why a run is not final yet.

A round's first results go to communes before the survey arrives and before every leaf is
appraised. The criteria set says how what is missing counts (its "provisional" object,
scoring.model.CriteriaSet.survey_missing / awaiting_appraisal):

- survey_missing: "exclude" (default) leaves a question without tallies out of the commune's
  maximum; "zero" counts it 0 of its maximum; "error" refuses the inputs (survey-missing).
- awaiting_appraisal: "self_score" (default, the rule before issue 14) counts an unappraised
  judgement leaf's self-score and does not make the run provisional; "provisional" counts
  the self-score and marks the run provisional; "exclude" leaves the leaf out of points and
  maximum until appraised and marks the run provisional.

The engine applies the policy (scoring.engine.score); this module words the reasons every
output shows (results.json ``provisional``/``provisional_reasons``, the workbook's first
sheet, the terminal table, the decision's title). Pure: arrays in, plain data out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the arrays come from the engine; reading a banner needs no numpy (issue 19)
    import numpy as np

MARK = "TẠM TÍNH"

_SURVEY_POLICY = {
    "exclude": "phần thiếu được loại khỏi điểm tối đa của đơn vị",
    "zero": "phần thiếu tạm tính 0 điểm",
}
_APPRAISAL_POLICY = {
    "provisional": "tạm tính theo điểm tự chấm",
    "exclude": "chưa tính vào điểm và điểm tối đa cho đến khi được thẩm định",
}


def provisional_reasons(criteria, submissions, survey_missing: np.ndarray, awaiting: np.ndarray) -> tuple[dict, ...]:
    """Why the results are provisional, as plain data; () when they are final.

    ``survey_missing`` and ``awaiting`` are boolean matrices communes × leaves (rows in
    ``submissions`` order): survey questions without tallies, judgement leaves not appraised.
    Each reason: {"kind", "policy", "message" (Vietnamese), "communes" (codes), "leaves" (count)}.
    """
    reasons = []
    if survey_missing.size and survey_missing.any():
        questions = int(survey_missing.any(axis=0).sum())
        reasons.append(_reason("survey_missing", criteria.survey_missing, survey_missing, submissions,
                               lambda communes, leaves: (
                                   f"chưa có đủ số phiếu điều tra xã hội học: {communes} đơn vị thiếu số phiếu "
                                   f"(của {questions} câu hỏi); {_SURVEY_POLICY[criteria.survey_missing]}")))
    if criteria.awaiting_appraisal != "self_score" and awaiting.size and awaiting.any():
        reasons.append(_reason("awaiting_appraisal", criteria.awaiting_appraisal, awaiting, submissions,
                               lambda communes, leaves: (
                                   f"{leaves} tiêu chí của {communes} đơn vị chưa được Hội đồng thẩm định; "
                                   f"{_APPRAISAL_POLICY[criteria.awaiting_appraisal]}")))
    return tuple(reasons)


def _reason(kind: str, policy: str, missing: np.ndarray, submissions, message) -> dict:
    """One reason from its boolean matrix communes × leaves; ``message(communes, leaves)`` words it."""
    import numpy as np

    rows = np.flatnonzero(missing.any(axis=1))
    leaves = int(missing.sum())
    return {"kind": kind, "policy": policy, "message": message(len(rows), leaves),
            "communes": [submissions[row].code for row in rows], "leaves": leaves}


def banner(reasons) -> str:
    """One line for the top of every output: "KẾT QUẢ TẠM TÍNH: reason; reason." ("" when final)."""
    if not reasons:
        return ""
    return f"KẾT QUẢ {MARK}: " + "; ".join(reason["message"] for reason in reasons) + "."
