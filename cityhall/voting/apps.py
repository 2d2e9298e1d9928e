from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "cityhall.voting"
    label = "voting"
    verbose_name = "Polls and participatory budgeting"
