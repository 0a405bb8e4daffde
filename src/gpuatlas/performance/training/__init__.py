"""Training: memory per GPU and time to train."""
