"""Personal data held by the catalog (see cityhall.core.personal_data).

A dataset's contact point is usually a team mailbox, but it may name a person; it is published with
the dataset so re-users can ask about the data.
"""

from cityhall.core.personal_data import LegalBasis, PersonalDataField, declare

PURPOSE = "letting re-users of an open dataset ask its publisher about the data"

declare(
    *[
        PersonalDataField(
            "catalog.Dataset",
            field,
            category,
            PURPOSE,
            LegalBasis.PUBLIC_TASK,
            owner="contact_email",
            owner_key="email",
        )
        for field, category in (("contact_name", "identity"), ("contact_email", "contact"))
    ],
)
