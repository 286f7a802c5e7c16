"""Present: the pack's words and numbers as people read them, in one language and currency (the view model)."""
