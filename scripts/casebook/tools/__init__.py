"""what is not the product: benchmarks, the fuzzers, size and search-byte meters."""
