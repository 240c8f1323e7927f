"""Duplicate and fraud detection without keeping plaintext: keyed encodings, tokens, 1:N index, signals."""
