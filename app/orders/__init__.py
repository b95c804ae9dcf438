"""Orders from the shop's platform: import and lookup."""
