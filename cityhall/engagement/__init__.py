"""Consultations, proposals and their supports, eligibility of participants."""
