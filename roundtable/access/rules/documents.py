"""Documents are visible with their case, except restricted ones (see cases rules)."""
