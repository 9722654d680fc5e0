"""reading YAML, the schema and vocabulary, numbers, safety rules, quotes, the checks, the cache, the model, releases."""
