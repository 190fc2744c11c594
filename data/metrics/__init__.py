"""The KPI queries of ../shared/METRICS.md, one module per family."""
