"""Audio made in advance: speech engines, processing into phone and listener formats, the build."""
