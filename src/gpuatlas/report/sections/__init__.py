"""Section builders: each takes the ReportContext and returns one Section."""
