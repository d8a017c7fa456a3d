"""The incremental shell around the core: caches, reading a year, forked workers."""
