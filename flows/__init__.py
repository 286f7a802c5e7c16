"""Prefect flows of retropack."""
