"""Spoken answers from one trusted page on secondary breast cancer."""
