"""Insights: what the month's numbers say — wins and misses, the actions that fire, the content plan, the diagnosis."""
