"""The ``monthly-retrospective`` flow as a file entrypoint for Prefect's own tooling.

``prefect deploy flows/monthly_retrospective.py:monthly_retrospective`` (or a ``prefect.yaml``
in this repository) finds the flow here. The flow itself is defined, with its tasks, in
``src/retropack/flow/monthly_retrospective.py``, so an installed retropack needs no checkout.
"""

from retropack.flow.monthly_retrospective import monthly_retrospective

__all__ = ["monthly_retrospective"]
