"""svidok.api."""
