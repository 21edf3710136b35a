"""skphase: multiscale sparse models (wavelet phase harmonics, scattering averages) for scikit-learn."""

__version__ = "0.1.0"

__all__ = ["__version__"]
