"""Local fakes of outside services, for tests that must run offline."""
