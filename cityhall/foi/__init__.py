"""Freedom-of-information requests with statutory deadlines and a disclosure log."""
