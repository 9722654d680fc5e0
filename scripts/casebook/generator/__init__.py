"""the in-process site generator builds (MkDocs) that doors and tools call."""
