"""Operations: deployments and their schedules (serve, a work pool), catch-up after downtime, backfills, the
Prefect API a one-off run starts, the demo data."""
