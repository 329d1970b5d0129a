"""File input/output: the only place (with cli/) that touches the disk."""
