"""floorwatch's Textual console. Only this package imports Textual."""
