"""Operations: backfills, deployments and schedules, the Prefect API a one-off run starts, the demo data."""
