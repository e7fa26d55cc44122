"""API routes grouped by resource; each is parse → call one service → return."""
