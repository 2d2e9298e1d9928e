"""Personal data held by the documents module (see cityhall.core.personal_data).

Documents about a resident, the people a document is shared with, the log of who opened a share,
and the inter-agency exchanges about a resident. All serve the city's public task and are records
the city must keep, so none is erased on request; the exchange records and the signature log are
evidence (they are signed and hash-chained), so they are never blanked by the retention job either.
"""

from cityhall.core.personal_data import LegalBasis, OnExpiry, PersonalDataField, declare

SHARE_LOG_RETENTION_DAYS = 2 * 365

declare(
    PersonalDataField(
        "documents.Document",
        "subject",
        "identity",
        "keeping the city's records about you, such as decisions and certificates",
        LegalBasis.PUBLIC_TASK,
        owner="subject_id",
    ),
    PersonalDataField(
        "documents.ShareRecipient",
        "email",
        "contact",
        "letting you open a document the city shared with you",
        LegalBasis.PUBLIC_TASK,
        owner="email",
        owner_key="email",
        retention_days=SHARE_LOG_RETENTION_DAYS,
        on_expiry=OnExpiry.DELETE_ROW,
    ),
    PersonalDataField(
        "documents.ShareAccess",
        "user",
        "identity",
        "logging every opening of a shared document, so misuse of a link can be traced",
        LegalBasis.LEGAL_OBLIGATION,
        owner="user_id",
        retention_days=SHARE_LOG_RETENTION_DAYS,
        on_expiry=OnExpiry.DELETE_ROW,
        age_field="at",
    ),
    PersonalDataField(
        "documents.ExchangeRequest",
        "subject",
        "identity",
        "inter-agency requests for your data, with their purpose and legal basis",
        LegalBasis.LEGAL_OBLIGATION,
        owner="subject_id",
    ),
    PersonalDataField(
        "documents.ExchangeResponse",
        "data",
        "content",
        "the data one department gave another about you, kept as signed evidence of the exchange",
        LegalBasis.LEGAL_OBLIGATION,
        owner="request__subject_id",
    ),
)
