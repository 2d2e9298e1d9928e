"""Personal data held by the FOI module (see cityhall.core.personal_data).

A request is public in the disclosure log, but who made it is not: the requester's account is kept
to tell them of answers and to let them clarify, withdraw or ask for a review. It is a legal
obligation of the authority to keep the record of requests and answers.
"""

from cityhall.core.personal_data import LegalBasis, PersonalDataField, declare

declare(
    PersonalDataField(
        "foi.FoiRequest",
        "requester",
        "identity",
        "answering your freedom-of-information requests and telling you of the answers",
        LegalBasis.LEGAL_OBLIGATION,
        owner="requester_id",
    ),
)
