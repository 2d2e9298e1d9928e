"""Personal data held by the accounts module (see cityhall.core.personal_data)."""

from cityhall.core.personal_data import LegalBasis, OnExpiry, PersonalDataField, declare

ACCOUNT = "running your online account and telling you about your requests"

declare(
    PersonalDataField("accounts.User", "email", "contact", ACCOUNT, LegalBasis.CONTRACT, owner="id"),
    PersonalDataField("accounts.User", "full_name", "identity", ACCOUNT, LegalBasis.CONTRACT, owner="id"),
    PersonalDataField(
        "accounts.User", "preferred_language", "preferences", ACCOUNT, LegalBasis.CONTRACT, owner="id"
    ),
    PersonalDataField(
        "account.EmailAddress", "email", "contact", ACCOUNT, LegalBasis.CONTRACT, owner="user_id"
    ),
    PersonalDataField(
        "accounts.ResidentVerification",
        "evidence",
        "identity",
        "proving that you live in the city, for processes open to residents only",
        LegalBasis.PUBLIC_TASK,
        owner="user_id",
    ),
    PersonalDataField(
        "accounts.VerificationCode",
        "address",
        "location",
        "posting you a one-time code to confirm your address",
        LegalBasis.PUBLIC_TASK,
        owner="user_id",
        retention_days=90,
        on_expiry=OnExpiry.DELETE_ROW,
    ),
    PersonalDataField(
        "accounts.PrivacyRequest",
        "details",
        "content",
        "answering your data-protection requests (GDPR Art. 12)",
        LegalBasis.LEGAL_OBLIGATION,
        owner="user_id",
        retention_days=3 * 365,
        on_expiry=OnExpiry.DELETE_ROW,
    ),
)
