"""Personal data held by the alerts module (see cityhall.core.personal_data).

Erasing a subscription's address and place leaves a point nobody can be linked to (and that is
never targeted again: subscriptions without an address are skipped)."""

from cityhall.core.personal_data import LegalBasis, PersonalDataField, declare

declare(
    PersonalDataField(
        "alerts.Subscription",
        "address",
        "contact",
        "sending you the alerts you subscribed to",
        LegalBasis.CONSENT,
        owner="address",
        owner_key="email",
    ),
    PersonalDataField(
        "alerts.Subscription",
        "place_text",
        "location",
        "finding the alerts for the place you chose",
        LegalBasis.CONSENT,
        owner="address",
        owner_key="email",
    ),
)
