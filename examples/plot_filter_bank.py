"""
Filter banks and the Littlewood–Paley sum
=========================================

A 2D Morlet bank with J scales and L orientations tiles the Fourier plane: the
Littlewood–Paley sum of its squared filters stays between two bounds A and B, so the
wavelet transform is stable and invertible (slide 8).
"""

import matplotlib.pyplot as plt
import numpy as np

from skphase.filters import filter_bank
from skphase.operators import frame_bounds
from skphase.plotting import plot_filter_bank

bank = filter_bank((64, 64), J=3, L=8, wavelet="morlet")
print(bank)
