"""LLM inference: memory fit, step times, serving layouts and curves."""
