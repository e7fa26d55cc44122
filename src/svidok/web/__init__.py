"""svidok.web."""
