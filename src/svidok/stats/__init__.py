"""svidok.stats."""
