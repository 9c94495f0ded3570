"""Readers: find input files, decode them, and turn each format into `Article`s."""
