"""Opinion polls and surveys with secret ballots, participatory budgeting."""
