"""Generated data: the units registry from official codes, and the demo years."""
