"""Personal data held by the voting module (see cityhall.core.personal_data): nothing to declare.

- The ballot box holds choices and receipts with no link to a person: not personal data.
- The voter roll holds, per vote, a keyed hash of (vote, account) and the date: it is pseudonymous by
  design, and it cannot be found from an account without recomputing the hash for every vote, which is
  why no owner lookup is declared. It is kept with the vote's results (the public task of running and
  auditing the vote). A new account hashes differently: the vote's minimum assurance level (a verified
  resident) is what stops one person voting with several accounts.
- `created_by` on polls and budgets names the staff member who set the vote up (their work record).
"""
