"""The mentoring program: programs and their rules, recruitment and screening, profiles,
matches, monitoring, sessions, and the grants that pay for it all.

Split by stage of MENTOR's "Elements of Effective Practice for Mentoring":
``program`` (programs, training modules, grants), ``pipeline`` (recruitment and
screening of mentors), ``profiles`` (mentor and mentee profiles, no-contact
conflicts), ``matches`` (matches, monitoring contacts, fit checks, sessions).
"""

from mentorship.models.alerts import SentAlert
from mentorship.models.matches import FitCheck, Match, MonitoringContact, Session
from mentorship.models.pipeline import (
    Applicant,
    BackgroundAssessment,
    Stage,
    StageChange,
    TrainingCompletion,
)
from mentorship.models.profiles import (
    AGE_RANGES,
    Gender,
    GenderPreference,
    LivedExperience,
    MenteeProfile,
    MentorProfile,
    NoContact,
)
from mentorship.models.program import (
    DEFAULT_WEIGHTS,
    BudgetLine,
    Expense,
    Grant,
    Program,
    TrainingModule,
)

__all__ = [
    "AGE_RANGES",
    "DEFAULT_WEIGHTS",
    "Applicant",
    "BackgroundAssessment",
    "BudgetLine",
    "Expense",
    "FitCheck",
    "Gender",
    "GenderPreference",
    "Grant",
    "LivedExperience",
    "Match",
    "MenteeProfile",
    "MentorProfile",
    "MonitoringContact",
    "NoContact",
    "Program",
    "SentAlert",
    "Session",
    "Stage",
    "StageChange",
    "TrainingCompletion",
    "TrainingModule",
]
