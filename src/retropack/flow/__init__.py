"""The flow: the Prefect flow that runs one client's month, its steps, and the business-day calendar."""
