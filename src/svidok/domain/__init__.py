"""svidok.domain."""
