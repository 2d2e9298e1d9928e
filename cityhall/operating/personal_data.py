"""Personal data held by the operating model (see cityhall.core.personal_data): none is declared.

The module keeps no resident's personal data. Stakeholders are organisations and groups; engagement
activities hold counts and summaries, not participants. The only references to people are staff
accountability links (owners, stewards, who recorded or verified a value); they point at staff
accounts and are set to empty when an account is deleted (on_delete=SET_NULL).
"""
