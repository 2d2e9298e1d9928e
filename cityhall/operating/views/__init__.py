"""Pages of the operating model: public (views.public) and for the programme office (views.staff,
views.registers)."""
