"""Training code for the shipped models (not used at extraction time)."""
