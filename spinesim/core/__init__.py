"""Compiled numerical core of spinesim.

Only Numba kernels and the integer layout constants they share live here: no dataclasses,
no xarray, no plotting. Everything takes and returns flat float64/int64 arrays whose
columns are named in :mod:`spinesim.core.layout`.
"""
