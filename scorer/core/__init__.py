"""The pure core: the model, the scoring rules, levels and ranks; no file is read here."""
