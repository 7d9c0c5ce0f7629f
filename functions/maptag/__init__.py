"""maptag: find migrated AWS resources whose MAP 2.0 `map-migrated` tag is missing or wrong."""

__version__ = "0.1.0"
