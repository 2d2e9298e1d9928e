"""Personal data held by the notifications module (see cityhall.core.personal_data)."""

from cityhall.core.personal_data import LegalBasis, OnExpiry, PersonalDataField, declare

declare(
    PersonalDataField(
        "notifications.OutboundEmail",
        "to",
        "contact",
        "sending you the messages the city owes you, and proving they were sent",
        LegalBasis.PUBLIC_TASK,
        owner="to",
        owner_key="email",
        retention_days=90,
        on_expiry=OnExpiry.ANONYMISE,
    ),
)

declare(
    PersonalDataField(
        "notifications.OutboundEmail",
        "body_text",
        "content",
        "sending you the messages the city owes you, and proving they were sent",
        LegalBasis.PUBLIC_TASK,
        owner="to",
        owner_key="email",
        retention_days=90,
        on_expiry=OnExpiry.ANONYMISE,
    ),
)

declare(
    PersonalDataField(
        "notifications.Delivery",
        "address",
        "contact",
        "delivering alerts and confirmations you asked for, and proving they were sent",
        LegalBasis.PUBLIC_TASK,
        owner="address",
        owner_key="email",
        retention_days=30,
        on_expiry=OnExpiry.ANONYMISE,
    ),
)
