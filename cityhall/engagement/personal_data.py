"""Personal data held by the engagement module (see cityhall.core.personal_data).

Answers and comments are linked to their author so each person answers once and moderators can act;
the public sees comments with the author's first name only, and answers only as totals.
"""

from cityhall.core.personal_data import LegalBasis, PersonalDataField, declare

PARTICIPATION = "taking part in consultations and calls for proposals, once per person"

declare(
    PersonalDataField(
        "engagement.Comment", "body", "content", PARTICIPATION, LegalBasis.PUBLIC_TASK, owner="author_id"
    ),
    PersonalDataField(
        "engagement.Comment", "author", "identity", PARTICIPATION, LegalBasis.PUBLIC_TASK, owner="author_id"
    ),
    PersonalDataField(
        "engagement.ConsultationResponse",
        "user",
        "identity",
        PARTICIPATION,
        LegalBasis.PUBLIC_TASK,
        owner="user_id",
    ),
    PersonalDataField(
        "engagement.Answer",
        "text",
        "content",
        PARTICIPATION,
        LegalBasis.PUBLIC_TASK,
        owner="response__user_id",
    ),
    PersonalDataField(
        "engagement.Answer",
        "choices",
        "content",
        PARTICIPATION,
        LegalBasis.PUBLIC_TASK,
        owner="response__user_id",
    ),
    PersonalDataField(
        "engagement.Answer",
        "scale_value",
        "content",
        PARTICIPATION,
        LegalBasis.PUBLIC_TASK,
        owner="response__user_id",
    ),
    PersonalDataField(
        "engagement.Proposal", "author", "identity", PARTICIPATION, LegalBasis.PUBLIC_TASK, owner="author_id"
    ),
    PersonalDataField(
        "engagement.Proposal", "body", "content", PARTICIPATION, LegalBasis.PUBLIC_TASK, owner="author_id"
    ),
    PersonalDataField(
        "engagement.Support", "user", "identity", PARTICIPATION, LegalBasis.PUBLIC_TASK, owner="user_id"
    ),
)
