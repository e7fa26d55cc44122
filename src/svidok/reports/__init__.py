"""svidok.reports."""
