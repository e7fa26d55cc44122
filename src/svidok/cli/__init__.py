"""svidok.cli."""
