"""What a unit fills in: the YAML scaffold, the canonical layout, the Excel form and the web form."""
