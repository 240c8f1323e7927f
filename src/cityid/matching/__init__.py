"""Duplicate and fraud detection without plaintext: keyed encodings, 1:N index, signals."""
