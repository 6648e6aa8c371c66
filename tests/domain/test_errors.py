from __future__ import annotations

from dostyk.domain.errors import DomainError, InvariantViolation


def test_invariant_violation_names_the_field_and_keeps_the_message() -> None:
    error = InvariantViolation("net_mass_kg", "exceeds gross mass")
    assert error.field == "net_mass_kg"
    assert error.message == "exceeds gross mass"
    assert str(error) == "net_mass_kg: exceeds gross mass"


def test_invariant_violation_is_a_domain_error() -> None:
    assert issubclass(InvariantViolation, DomainError)
    assert issubclass(DomainError, Exception)
