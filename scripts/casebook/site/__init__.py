"""page addresses, the rendered pages and generated tree, catalogue, regions, search, open data, feed, share cards; one build of the site whatever the generator (build.py)."""
