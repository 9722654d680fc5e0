"""thin doors over everything below: the command line, the MkDocs plugin, preview, CI annotations."""
