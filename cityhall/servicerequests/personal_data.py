"""Personal data held by the service requests module (see cityhall.core.personal_data).

Reporters' and followers' contact details serve one purpose: telling them what happens to a report.
They are never shown publicly and are blanked two years after the report.
"""

from cityhall.core.personal_data import LegalBasis, OnExpiry, PersonalDataField, declare

PURPOSE = "handling your reports of problems and telling you what happens to them"
RETENTION_DAYS = 2 * 365

declare(
    *[
        PersonalDataField(
            "servicerequests.ServiceRequest",
            field,
            category,
            PURPOSE,
            LegalBasis.PUBLIC_TASK,
            owner="email",
            owner_key="email",
            retention_days=RETENTION_DAYS,
            on_expiry=OnExpiry.ANONYMISE,
            age_field="requested_at",
        )
        for field, category in (
            ("first_name", "identity"),
            ("last_name", "identity"),
            ("phone", "contact"),
            ("device_id", "network"),
            ("account_id", "identity"),
            ("email", "contact"),  # last: retention blanks the lookup field after the others
        )
    ],
    PersonalDataField(
        "servicerequests.ServiceRequestFollower",
        "email",
        "contact",
        "sending you the updates on a report you chose to follow",
        LegalBasis.CONSENT,
        owner="email",
        owner_key="email",
        retention_days=RETENTION_DAYS,
        on_expiry=OnExpiry.DELETE_ROW,
    ),
)
