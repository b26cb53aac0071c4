"""The page for people with low vision: large print, every section with its audio, ask a question."""
