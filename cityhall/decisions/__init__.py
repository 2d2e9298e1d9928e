"""Governing bodies, meetings, agendas, motions, decisions and roll-call votes."""
