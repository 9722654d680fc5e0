"""what helps an editor write a case: the scaffold, drafting from a source text, the preview's drafting desk."""
