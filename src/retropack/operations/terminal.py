"""What the terminal shows of the log while a command runs: some records stay off it for a while, and still reach
every other handler (a run's log file holds them all)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

__all__ = ["RUN_LOGGERS", "terminal_shows"]

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")  # Prefect's loggers of flow and task runs


@contextlib.contextmanager
def terminal_shows(shown: Callable[[logging.LogRecord], bool]) -> Iterator[None]:
    """While inside, the root logger's stream handlers print only the records ``shown`` accepts."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    for handler in handlers:
        handler.addFilter(shown)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(shown)
