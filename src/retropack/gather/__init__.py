"""Gather: the program's data pulled from where it lives into the dataset folder, before a run reads it
(contract §7.2: the HubSpot API). Exports read as they are need no gathering (``retropack.load``)."""
