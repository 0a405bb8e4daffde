"""GPU Atlas: which GPU for your AI workload — facts, predictions, measurements."""

__version__ = "0.1.0"
