"""Reading and checking input files: YAML, schemas, criteria sets, the registry, cycles, submissions."""
