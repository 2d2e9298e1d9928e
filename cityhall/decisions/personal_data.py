"""Personal data held by the decisions module (see cityhall.core.personal_data).

Members of governing bodies hold public office: their names, affiliations and recorded votes are
published as part of the public record, which is the public task itself; they are not erased.
"""

from cityhall.core.personal_data import LegalBasis, PersonalDataField, declare

PURPOSE = "publishing who sits on the city's governing bodies and how they voted"

declare(
    *[
        PersonalDataField(
            "decisions.Member", field, "identity", PURPOSE, LegalBasis.PUBLIC_TASK, owner="user_id"
        )
        for field in ("name", "affiliation")
    ]
)
