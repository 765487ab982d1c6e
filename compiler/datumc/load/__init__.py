"""Loading input files: text, parsed data and the position of every key."""
