"""Evaluation: gold files, the scorer, the gate and external datasets."""
