"""What every layer shares: actors, service errors, need-to-know rules, input validation."""
