"""svidok.storage."""
