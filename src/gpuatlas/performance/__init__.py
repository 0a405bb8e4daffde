"""Pure performance models: what fits, how fast, with ranges (no prices, no I/O)."""
