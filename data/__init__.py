"""floorwatch's data layer: readers, store, ingest, metrics, report. Never imports Textual."""
