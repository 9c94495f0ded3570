"""Scraped biomedical abstract pages in, structured and scored JSONL records out."""

__version__ = "0.1.0"
