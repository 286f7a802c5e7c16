"""Load: the dataset's tables read as text and validated against their declarations (contract §1)."""

from retropack.load.dataset import Dataset, Finding, TableQuality
from retropack.load.validation import load_dataset, require_rows

__all__ = ["Dataset", "Finding", "TableQuality", "load_dataset", "require_rows"]
