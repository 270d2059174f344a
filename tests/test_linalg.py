"""Block-tridiagonal LU against a dense solve, including the zero-pattern shortcuts."""

from __future__ import annotations

import numpy as np
import pytest

from spinesim.core.layout import CONDENSED
from spinesim.core.linalg import block_factor, block_solve


def dense(lower, diag, upper):
    n, m, _ = diag.shape
    a = np.zeros((n * m, n * m))
    for i in range(n):
        a[i * m : (i + 1) * m, i * m : (i + 1) * m] = diag[i]
        if i > 0:
            a[i * m : (i + 1) * m, (i - 1) * m : i * m] = lower[i]
        if i < n - 1:
            a[i * m : (i + 1) * m, (i + 1) * m : (i + 2) * m] = upper[i]
    return a


@pytest.mark.parametrize("n_blocks", [1, 2, 7])
def test_block_lu_matches_dense_solve(n_blocks):
    rng = np.random.default_rng(n_blocks)
    m = CONDENSED
    lower = rng.normal(size=(n_blocks, m, m))
    upper = rng.normal(size=(n_blocks, m, m))
    diag = rng.normal(size=(n_blocks, m, m)) + 10.0 * np.eye(m)
    lower[:, ::2, :] = 0.0  # zero rows, as in a chain
    upper[:, :, 1::3] = 0.0  # zero columns
    diag[:, 0, 0] = 0.0  # needs pivoting inside the block
    b = rng.normal(size=n_blocks * m)
    lu = np.zeros_like(diag)
    w = np.zeros_like(diag)
    piv = np.zeros((n_blocks, m), dtype=np.int64)
    pattern = np.zeros((n_blocks, 2, m), dtype=np.bool_)
    assert block_factor(lower, diag, upper, lu, piv, w, np.empty(m), pattern)
    x = b.copy()
    block_solve(lower, lu, piv, w, pattern, x)
    np.testing.assert_allclose(
        x, np.linalg.solve(dense(lower, diag, upper), b), rtol=1e-10, atol=1e-12
    )


def test_singular_block_is_reported():
    m = CONDENSED
    diag = np.zeros((2, m, m))
    args = (np.zeros_like(diag), diag, np.zeros_like(diag), np.zeros_like(diag))
    piv = np.zeros((2, m), dtype=np.int64)
    ok = block_factor(
        *args, piv, np.zeros_like(diag), np.empty(m), np.zeros((2, 2, m), dtype=np.bool_)
    )
    assert not ok
