"""The convolutional decoder of Angles & Mallat (2018), as torch modules.

Imported lazily by the estimator: ``import skphase`` never imports torch.
Z (n, d0) -> Linear -> BatchNorm -> ReLU -> a (C0, h0, w0) map, then ``n_blocks``
blocks of bilinear x2 upsampling, convolution (no bias), BatchNorm, ReLU, with
channels halved per block; a last convolution gives the image channels, cropped
to the image size. Convolutions pad with zeros: the reference's reflection padding
gave the same PSNR on polygons and cost a separate padding layer, about 20% of a
CPU training step.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class _UpBlock(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, kernel_size: int):
        super().__init__(
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
        )


class ConvDecoder(nn.Module):
    """Decoder from an embedding of size ``d0`` to images (n, C, H, W)."""

    def __init__(self, d0: int, image_shape: tuple, n_channels: int, n_blocks: int, width: int,
                 kernel_size: int, min_width: int = 8):
        super().__init__()
        H, W = image_shape
        self.image_shape = (H, W)
        self.start = (-(-H // 2 ** n_blocks), -(-W // 2 ** n_blocks))
        self.width = width
        self.linear = nn.Sequential(
            nn.Linear(d0, width * self.start[0] * self.start[1], bias=False),
            nn.BatchNorm1d(width * self.start[0] * self.start[1]),
            nn.ReLU(inplace=True),
        )
        blocks, c = [], width
        for _ in range(n_blocks):
            c_out = max(min_width, c // 2)
            blocks.append(_UpBlock(c, c_out, kernel_size))
            c = c_out
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Conv2d(c, n_channels, kernel_size, padding=kernel_size // 2, bias=True))
        for m in self.modules():  # the reference's N(0, 0.02) start, BatchNorm at identity
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, z):
        h = self.linear(z).view(z.shape[0], self.width, *self.start)
        out = self.head(self.blocks(h))
        return out[:, :, : self.image_shape[0], : self.image_shape[1]]


def state_to_numpy(module: nn.Module) -> dict:
    """The module's state as numpy arrays (picklable without torch modules)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def load_numpy_state(module: nn.Module, state: dict) -> nn.Module:
    module.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    return module
