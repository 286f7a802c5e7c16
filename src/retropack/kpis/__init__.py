"""KPIs: what each one is (catalog), how it is computed (formulas), and how it is judged (evaluation)."""
