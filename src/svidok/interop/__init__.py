"""svidok.interop."""
