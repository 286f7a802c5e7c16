"""Insights: what the month's numbers say — drivers, wins and misses, actions that fire, the content plan, the diagnosis."""
