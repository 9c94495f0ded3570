"""The spaCy components, one per module, registered as `abstracts_*` factories."""
