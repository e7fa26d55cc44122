"""svidok.evidence."""
