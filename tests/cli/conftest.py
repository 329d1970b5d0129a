"""Fixtures of the tests of Ray runs (test_classify.py, test_ray_data.py)."""

import sys

import pytest


@pytest.fixture(scope="module")
def ray_stops_after_the_module():
    """Tests of a module may share one local Ray (its start and its stop cost seconds each): what one leaves up for
    the next stops here, once, at the module's end."""
    yield
    if "ray" in sys.modules:
        sys.modules["ray"].shutdown()
