"""Notices that must travel with person-level records.

``PART2_NOTICE`` is the notice against redisclosure that 42 CFR §2.32 requires with every
disclosure of a Part 2 program's records (text of the 2024 rule, §2.32(a)(1)). Every page,
export and API answer that shows Part 2 records to anyone but the program itself and the
person carries it (``templates/casework/_part2_notice.html`` for pages).
"""

from django.utils.translation import gettext_lazy as _

PART2_NOTICE = _(
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, "
    "or testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, "
    "except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with "
    "42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making any other "
    "use or disclosure of this record unless at least one of the following applies: "
    "(i) Further use or disclosure is expressly permitted by the written consent of the "
    "individual whose information is being disclosed in this record or as otherwise "
    "permitted by 42 CFR part 2. (ii) You are a covered entity or business associate and "
    "have received the record for treatment, payment, or health care operations, or "
    "(iii) You have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required "
    "elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)

# The same words in files and API answers, where there is no page to put them on.
PART2_NOTICE_FIELD = "part2_notice"


def part2_disclosed(records, viewer_org_ids) -> bool:
    """True when any of ``records`` (objects with ``organization_id``, and the
    ``organization.part2_program`` relation loaded or loadable) is a Part 2 program's
    record shown to someone outside that program: the notice must go with it."""
    for item in records:
        if item.organization_id in viewer_org_ids:
            continue
        if hasattr(item.organization, "part2_program"):
            return True
    return False
