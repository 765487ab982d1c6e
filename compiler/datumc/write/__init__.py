"""The one writer: outputs planned against disk, hand-edit check, atomic rename, manifest."""
