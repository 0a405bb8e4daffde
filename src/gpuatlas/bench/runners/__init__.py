"""Runners: the code behind each benchmark definition's `runner` field."""
