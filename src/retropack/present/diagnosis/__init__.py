"""The diagnosis worded: health check, roadmap and team, scoring review."""
