"""what trainers take away: the offline zip, the handout and its PDF, materials, selections."""
