"""svidok.services."""
