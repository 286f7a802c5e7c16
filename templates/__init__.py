"""The pack's templates (PDF, e-mail); installed as package data of ``retropack.templates``."""
