"""The progressive sparse-deconvolution decoder (seed slides 23-24), as torch modules.

U x is the full-resolution phase-harmonic transform (linearly invertible). Its
averages y_j = U x * phi_j, sampled every 2^j, form a pyramid: here phi_j is the
binomial (Gaussian) low-pass of a Gaussian pyramid, y_0 = U x and
y_{j+1} = down2(blur(y_j)). The decoder starts from y_J (predicted linearly from
the embedding) and, for j = J-1 ... 0, predicts y_j from y_{j+1}:

    up = upsample2(y_{j+1}),   alpha = LISTA_j(up),   y_j = up + D_j alpha,

where alpha is a non-negative sparse code computed by a few unrolled ISTA steps
(Gregor & LeCun's LISTA, untied weights) and D_j a learned convolutional
dictionary: the innovation y_j - up is sparse in D_j. The last y_0 is inverted
exactly by the phase-harmonic operator's inverse
(:class:`~skphase.generative._embedding.PhaseHarmonicPyramid`).

Imported lazily: ``import skphase`` never imports torch.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..sparse_coding._unrolled import unrolled_forward_torch

_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _blur(y):
    """Separable binomial blur (reflect padding), channel by channel."""
    c = y.shape[1]
    k = _BINOMIAL.to(y)
    y = F.pad(y, (2, 2, 2, 2), mode="reflect")
    y = F.conv2d(y, k.view(1, 1, 1, 5).expand(c, 1, 1, 5), groups=c)
    return F.conv2d(y, k.view(1, 1, 5, 1).expand(c, 1, 5, 1), groups=c)


def pyramid(u, J: int) -> list:
    """[y_0, ..., y_J]: y_0 = u, y_{j+1} = blur(y_j) sampled every other pixel."""
    levels = [u]
    for _ in range(J):
        levels.append(_blur(levels[-1])[:, :, ::2, ::2])
    return levels


class LISTA(nn.Module):
    """Non-negative sparse code of x by ``n_iter`` unrolled ISTA steps with learned weights.

    alpha_0 = relu(W x - lambda_0); alpha_{k+1} = relu(alpha_k + W (x - B alpha_k) - lambda_k),
    W (analysis) and B (synthesis) 3 x 3 convolutions, lambda_k >= 0 learned per atom: the
    generic unrolled network (:func:`~skphase.sparse_coding._unrolled.unrolled_forward_torch`,
    expanded form, no step, no momentum) with convolutions as its maps.
    """

    def __init__(self, n_in: int, n_atoms: int, n_iter: int = 3):
        super().__init__()
        self.W = nn.Conv2d(n_in, n_atoms, 3, padding=1, padding_mode="reflect", bias=False)
        self.B = nn.Conv2d(n_atoms, n_in, 3, padding=1, padding_mode="reflect", bias=False)
        self.log_lambda = nn.Parameter(torch.full((n_iter, n_atoms, 1, 1), -3.0))
        self.n_iter = n_iter

    def forward(self, x):
        # the generic unrolled layer, expanded (W x once) with unit steps and convolutions
        return unrolled_forward_torch(x, self.W, self.B, self.log_lambda.exp(), positive=True,
                                      expanded=True)


class ProgressiveDecoder(nn.Module):
    """Embedding -> y_J (linear) -> y_{J-1} ... y_0 by sparse codes in learned dictionaries."""

    def __init__(self, d0: int, u_channels: int, image_shape: tuple, J: int, n_atoms: int, n_iter: int = 3):
        super().__init__()
        H, W = image_shape
        self.shapes = [(H, W)]
        for _ in range(J):
            h, w = self.shapes[-1]
            self.shapes.append(((h + 1) // 2, (w + 1) // 2))
        self.u_channels = u_channels
        hJ, wJ = self.shapes[-1]
        self.linear = nn.Linear(d0, u_channels * hJ * wJ)
        self.codes = nn.ModuleList(LISTA(u_channels, n_atoms, n_iter) for _ in range(J))
        self.dictionaries = nn.ModuleList(
            nn.Conv2d(n_atoms, u_channels, 3, padding=1, padding_mode="reflect", bias=False) for _ in range(J))
        for d in self.dictionaries:  # start as the plain upsampling: zero innovation
            nn.init.zeros_(d.weight)

    def refine(self, step: int, y):
        """Step ``step`` (0 is the coarsest): the next finer level predicted from the level y."""
        up = F.interpolate(y, size=self.shapes[-2 - step], mode="bilinear", align_corners=False)
        return up + self.dictionaries[step](self.codes[step](up))

    def forward(self, z) -> list:
        """[y_J, y_{J-1}, ..., y_0] predicted from z."""
        hJ, wJ = self.shapes[-1]
        y = self.linear(z).view(z.shape[0], self.u_channels, hJ, wJ)
        out = [y]
        for step in range(len(self.codes)):
            y = self.refine(step, y)
            out.append(y)
        return out

    def teacher_forced(self, levels) -> list:
        """[y_{J-1}, ..., y_0], each predicted from the true coarser level (levels = [y_0, ..., y_J])."""
        J = len(self.codes)
        return [self.refine(step, levels[J - step]) for step in range(J)]

    @staticmethod
    def innovations(levels) -> list:
        """y_j - upsample(y_{j+1}) for j = J-1 ... 0 (levels given as [y_0, ..., y_J])."""
        out = []
        for j in range(len(levels) - 2, -1, -1):
            up = F.interpolate(levels[j + 1], size=levels[j].shape[-2:], mode="bilinear", align_corners=False)
            out.append(levels[j] - up)
        return out
