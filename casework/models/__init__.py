"""Person-level records (DESIGN.md rule 7): who a returning citizen is to each
organization that serves them, what they agreed to share, the services logged and the
referrals sent.

``people`` (participants, enrolments, identities, Part 2 programs), ``consents``,
``logs`` (service logs and API idempotency keys), ``referrals``. Who may read any of it is
decided in one room: ``casework.access``.
"""

from casework.models.consents import Consent
from casework.models.logs import IdempotencyKey, ServiceLog
from casework.models.people import Enrolment, Identity, Part2Program, Participant
from casework.models.referrals import Referral, ReferralEvent

__all__ = [
    "Consent",
    "Enrolment",
    "IdempotencyKey",
    "Identity",
    "Part2Program",
    "Participant",
    "Referral",
    "ReferralEvent",
    "ServiceLog",
]
