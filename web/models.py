"""What the round keeps: the round and its dated steps, the communes of its registry, the
accounts' roles and assignments, the communes' leaf entries and evidence, the council's
appraisal entries. Every model that a person changes keeps its history
(django-simple-history: who, when, the row before and after).

Points are stored as Decimal with two decimals (the engine's hundredths); the engine never
reads these tables: web.engine exports them to the project's file formats first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

POINTS = {"max_digits": 7, "decimal_places": 2}


class Round(models.Model):
    """One year's round: the criteria set and the registry as the office loaded them."""

    criteria_id = models.CharField(max_length=100)
    year = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    criteria = models.JSONField()           # the criteria set file, as loaded
    registry = models.JSONField()           # the registry file, as loaded
    survey = models.JSONField(null=True, blank=True)   # survey tallies (arrive last)
    council = models.CharField(max_length=300, default="Hội đồng thẩm định")
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.title} ({self.year})"


class Step(models.Model):
    """A dated step of the round; at ``closes_at`` it locks (web.rounds.lock_expired)."""

    SELF, APPRAISAL_1, EXPLANATION, APPRAISAL_2, APPROVAL = "self", "appraisal_1", "explanation", "appraisal_2", "approval"
    KINDS = [(SELF, "Tự đánh giá"), (APPRAISAL_1, "Thẩm định lần 1"), (EXPLANATION, "Giải trình"),
             (APPRAISAL_2, "Thẩm định lần 2"), (APPROVAL, "Phê duyệt")]
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=KINDS)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    locked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        unique_together = [("round", "kind")]
        ordering = ["opens_at"]

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_at is None and self.opens_at <= now < self.closes_at


class Commune(models.Model):
    """A unit of the round's registry and where it stands in the round."""

    NOT_STARTED, DRAFT, SUBMITTED, LOCKED = "not_started", "draft", "submitted", "locked"
    APPRAISED_1, EXPLANATION_REQUESTED, EXPLANATION_SUBMITTED = "appraised_1", "explanation_requested", "explanation_submitted"
    APPRAISED_2, APPROVED, PUBLISHED = "appraised_2", "approved", "published"
    STATES = [(NOT_STARTED, "Chưa bắt đầu"), (DRAFT, "Đang nhập"), (SUBMITTED, "Đã nộp"),
              (LOCKED, "Đã khóa (hết hạn)"), (APPRAISED_1, "Đã thẩm định lần 1"),
              (EXPLANATION_REQUESTED, "Đề nghị giải trình"), (EXPLANATION_SUBMITTED, "Đã giải trình"),
              (APPRAISED_2, "Đã thẩm định lần 2"), (APPROVED, "Đã phê duyệt"), (PUBLISHED, "Đã công bố")]
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="communes")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20)
    block = models.CharField(max_length=50, blank=True, default="")
    state = models.CharField(max_length=30, choices=STATES, default=NOT_STARTED)
    report_number = models.CharField(max_length=100, blank=True, default="")
    report_date = models.DateField(null=True, blank=True)
    report_signer = models.CharField(max_length=200, blank=True, default="")
    reopened_until = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        unique_together = [("round", "code")]
        ordering = ["code"]

    def __str__(self):
        return f"{self.type} {self.name}"


class Profile(models.Model):
    """An account's role; a commune account belongs to one commune."""

    OFFICE, APPRAISER, COMMUNE = "office", "appraiser", "commune"
    ROLES = [(OFFICE, "Phòng/Sở Nội vụ"), (APPRAISER, "Thành viên Hội đồng thẩm định"), (COMMUNE, "UBND xã")]
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=ROLES)
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.CASCADE, related_name="accounts")
    history = HistoricalRecords()


class Assignment(models.Model):
    """Work assigned to an appraiser: a commune (all its leaves), an area (in every
    commune), or an area in one commune. Empty ``area`` means every area."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.CASCADE)
    area = models.CharField(max_length=20, blank=True, default="")
    history = HistoricalRecords()


class LeafEntry(models.Model):
    """What a commune reports for one leaf (its submission's ``leaves[code]``)."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="entries")
    leaf = models.CharField(max_length=30)
    facts = models.JSONField(default=dict, blank=True)
    self_score = models.DecimalField(null=True, blank=True, **POINTS)
    not_applicable = models.BooleanField(default=False)
    explanation = models.TextField(blank=True, default="")
    # the explanation loop: the commune's answer to "đề nghị giải trình"
    answer = models.TextField(blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        unique_together = [("commune", "leaf")]


class Evidence(models.Model):
    """An evidence document of a leaf; its file is EVIDENCE_ROOT/<sha256> (one copy per content)."""

    SELF, EXPLANATION = "self", "explanation"
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="evidence")
    leaf = models.CharField(max_length=30)
    stage = models.CharField(max_length=20, default=SELF, choices=[(SELF, "Tự đánh giá"), (EXPLANATION, "Giải trình")])
    number = models.CharField(max_length=100)
    date = models.DateField()
    title = models.CharField(max_length=500)
    issuer = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)   # as uploaded, normalised; shown, never used as a path
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["leaf", "date", "id"]


class AppraisalEntry(models.Model):
    """The council's score of one leaf of one commune at one stage (1 or 2). ``version``
    grows with every save: a save based on an older version is refused (optimistic locking)."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="appraisals")
    leaf = models.CharField(max_length=30)
    stage = models.PositiveSmallIntegerField()
    score = models.DecimalField(**POINTS)
    reason = models.TextField()
    date = models.DateField()
    explanation_requested = models.BooleanField(default=False)
    appraiser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        unique_together = [("commune", "leaf", "stage")]


class LoginFailure(models.Model):
    """Sign-in attempts against one user name within the current window, in the database so
    that every server process counts the same attempts (web.throttle). ``count`` is the failed
    attempts plus those being checked right now; ``expires_at`` ends the window that the first
    of them opened."""

    username = models.CharField(max_length=150, unique=True)   # as typed, trimmed and lower-cased
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)
