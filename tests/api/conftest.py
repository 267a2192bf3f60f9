"""Fixtures shared by the API tests."""
import pytest

from tests.helpers import bearer, login


@pytest.fixture
def as_(api, seeded):
    """`as_(mobile)`: the Authorization header of that mobile (citizen or demo staff), logged in once per test."""
    tokens = {}

    def headers(mobile: str) -> dict:
        if mobile not in tokens:
            tokens[mobile] = bearer(login(api, mobile))
        return tokens[mobile]
    return headers
