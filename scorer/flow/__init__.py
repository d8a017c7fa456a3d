"""The yearly process on GitHub: who may change what, deadlines, status, reviews, publication."""
