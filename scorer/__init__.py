"""cqdt: e-government level evaluation as a Git repository."""
