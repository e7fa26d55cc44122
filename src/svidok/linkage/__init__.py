"""svidok.linkage."""
