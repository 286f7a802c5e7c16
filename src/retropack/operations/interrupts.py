"""Ctrl-C that always stops the command.

Python raises ``KeyboardInterrupt`` wherever the main thread is when SIGINT arrives. When that is a weakref callback
or a ``__del__`` run by the garbage collector (pandas and matplotlib leave plenty), Python cannot raise it there: it
prints "Exception ignored" and goes on, and a backfill went on building its next months (seen under load in the
Ctrl-C test). Such a swallowed interrupt is delivered again, at the next point Python can raise it.
"""

from __future__ import annotations

import _thread
import sys
import threading

__all__ = ["keep_ctrl_c"]


def keep_ctrl_c() -> None:
    """For the rest of the process, a Ctrl-C the garbage collector swallowed is raised again in the main thread."""
    if getattr(sys.unraisablehook, "keeps_ctrl_c", False):
        return
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            # a moment later, from another thread: raised here, inside the collector, it would be swallowed again
            again = threading.Timer(0.01, _thread.interrupt_main)
            again.daemon = True
            again.start()
            return
        previous(unraisable)

    hook.keeps_ctrl_c = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook
