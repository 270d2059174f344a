"""The one module of Numba settings: how many threads a parallel kernel may use."""

from __future__ import annotations

import numba

from spinesim._numba import threads_for


def test_threads_for_caps_the_threads_at_the_tasks_and_restores_them():
    before = numba.get_num_threads()
    with threads_for(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with threads_for(before + 5):
        assert numba.get_num_threads() == before  # never more than were set
    with threads_for(0):
        assert numba.get_num_threads() == 1  # no tasks still leaves one thread


def test_threads_for_restores_the_threads_after_an_error():
    before = numba.get_num_threads()
    try:
        with threads_for(1):
            raise RuntimeError("inside")
    except RuntimeError:
        pass
    assert numba.get_num_threads() == before
