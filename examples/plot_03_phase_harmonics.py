"""
Frequency transposition by phase harmonics
==========================================

The phase harmonic :math:`[z]^k = |z| e^{ik\\varphi(z)}` of a wavelet coefficient moves its
frequency from ξ to k·ξ without dilating it in time, so two scales that do not correlate
linearly become strongly correlated once the coarser one is transposed onto the finer.

This is slides 12–13 of the seed ("Frequency transpositions", "Scale transposition with
harmonics").
"""

# %%
# A sparse signal and its analytic wavelet coefficients
# -----------------------------------------------------
# Forty positive spikes. ``PhaseHarmonicTransform(harmonics=(1, 2, 4))`` returns, for each
# wavelet, the real and imaginary parts of :math:`[x \star \psi_\lambda]^k`. The bump bank
# is analytic and compactly supported in frequency (a tight frame), so coefficients at
# scales two octaves apart have disjoint spectra, and neighbours overlap only a little.
import matplotlib.pyplot as plt
import numpy as np

from skphase import PhaseHarmonicTransform
from skphase.datasets import make_piecewise_constant
from skphase.filters import filter_bank

n = 4096
rng = np.random.default_rng(0)
spikes = np.zeros((1, n))
spikes[0, rng.choice(n, 40, replace=False)] = rng.uniform(0.5, 1.5, 40)

J = 8
xi = filter_bank((n,), J, wavelet="bump").psi1.xi


def harmonics(x):
    """[x * psi_n]^k for every wavelet n and k in (1, 2, 4), as a dict (n, k) -> complex."""
    pht = PhaseHarmonicTransform(J=J, harmonics=(1, 2, 4), wavelet="bump", flatten=False)
    coef = pht.fit(x).transform(x)[0]
    table = pht.channel_table_
    out = {}
    for row in np.flatnonzero((table["kind"] == 2) & (table["part"] == 0)):
        imag = np.flatnonzero((table["n"] == table["n"][row]) & (table["k"] == table["k"][row])
                              & (table["part"] == 1))[0]
        out[int(table["n"][row]), int(table["k"][row])] = coef[row] + 1j * coef[imag]
    return out


def correlation(a, b):
    """|E[a conj(b)]| of the centred coefficients, normalised: 1 for a copy."""
    a, b = a - a.mean(), b - b.mean()
    return abs(np.vdot(b, a)) / np.sqrt(np.vdot(a, a).real * np.vdot(b, b).real)


z = harmonics(spikes)
fine, coarse = 1, 2                        # two neighbouring octaves: xi[fine] = 2 xi[coarse]
print(f"wavelet {fine}: xi = {xi[fine]:.3f} rad/sample; wavelet {coarse}: xi = {xi[coarse]:.3f}")

# %%
# Harmonics move the spectrum to k·ξ
# ----------------------------------
# The spectral centroid of :math:`[z]^k` sits near k·ξ: the second harmonic of the coarse
# scale lands on the fine scale's band.
omega = 2 * np.pi * np.fft.fftfreq(n)
order = np.argsort(omega)


def spectrum(c):
    return np.abs(np.fft.fft(c - c.mean())) ** 2


fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
for k, style in [(1, "-"), (2, "--"), (4, ":")]:
    s = spectrum(z[coarse, k])
    centroid = np.sum(omega * s) / np.sum(s)
    print(f"[z_coarse]^{k}: spectral centroid {centroid:.3f} rad/sample "
          f"(k * xi = {k * xi[coarse]:.3f})")
    ax.plot(omega[order], s[order] / s.max(), style, label=f"[x ⋆ ψ(ξ={xi[coarse]:.2f})]^{k}")
s = spectrum(z[fine, 1])
ax.fill_between(omega[order], s[order] / s.max(), alpha=0.3, color="grey",
                label=f"x ⋆ ψ(ξ={xi[fine]:.2f}), the finer scale")
ax.set_xlim(-0.5, 2.2)
ax.set_xlabel("ω (radians / sample)")
ax.set_ylabel("normalised power")
ax.set_title("Phase harmonics transpose frequencies: [z]^k sits at k·ξ")
ax.legend(fontsize=8)

# %%
# Correlations before and after transposition
# -------------------------------------------
# Two scales do not correlate linearly (k = 1, their spectra barely overlap), but the
# coarse scale's second harmonic correlates with the fine scale: the spikes align the
# phases across scales. For a signal whose features have both signs (a piecewise-constant
# signal with up and down jumps), :math:`x \to -x` flips z but not :math:`[z]^2`, so the
# odd-even pair averages out; pairing even harmonics (k = 2 with k' = 4) restores it.
steps = make_piecewise_constant(1, n, n_jumps=40, random_state=0)
w = harmonics(steps)
pairs = [
    ("spikes: z_fine vs z_coarse (k=1)", correlation(z[fine, 1], z[coarse, 1])),
    ("spikes: z_fine vs [z_coarse]^2", correlation(z[fine, 1], z[coarse, 2])),
    ("spikes: z_fine vs z_(2 octaves) (k=1)", correlation(z[fine, 1], z[coarse + 1, 1])),
    ("spikes: z_fine vs [z_(2 octaves)]^4", correlation(z[fine, 1], z[coarse + 1, 4])),
    ("steps: z_fine vs [z_coarse]^2", correlation(w[fine, 1], w[coarse, 2])),
    ("steps: [z_fine]^2 vs [z_coarse]^4", correlation(w[fine, 2], w[coarse, 4])),
]
for label, value in pairs:
    print(f"{label}: correlation {value:.3f}")

fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
ax.barh([label for label, _ in pairs][::-1], [value for _, value in pairs][::-1],
        color=["C0", "C1", "C0", "C1", "C0", "C1"][::-1])
ax.set_xlim(0, 1)
ax.set_xlabel("normalised correlation |E[a b*]|")
ax.set_title("Correlation across scales, before (blue) and after (orange) transposition")
plt.show()
