"""Cleaning: find the article in a scraped page and keep its metadata."""
