"""A class-per-folder image data set for torch's DataLoader (Pillow reads; no torchvision)."""

from __future__ import annotations

import os

import numpy as np
import torch

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class ImageFolder(torch.utils.data.Dataset):
    """Images under ``root/<class name>/*.<ext>``, as RGB float tensors (3, size, size) in [0, 1].

    Classes are the sorted sub-folder names; ``samples`` lists (path, class index) in a sorted,
    reproducible order. Images are resized (bilinear) to ``size`` x ``size``.
    """

    def __init__(self, root: str, size: int = 224, dtype=torch.float32):
        if not os.path.isdir(root):
            raise ValueError(f"root={root!r} is not a directory.")
        self.root, self.size, self.dtype = root, int(size), dtype
        self.classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        if len(self.classes) < 2:
            raise ValueError(f"{root!r} must hold one sub-folder per class, at least 2; "
                             f"found {self.classes!r}.")
        self.samples = [(os.path.join(root, c, f), i) for i, c in enumerate(self.classes)
                        for f in sorted(os.listdir(os.path.join(root, c)))
                        if f.lower().endswith(IMAGE_EXTENSIONS)]
        if not self.samples:
            raise ValueError(f"no images with extensions {IMAGE_EXTENSIONS} under {root!r}.")

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index):
        from PIL import Image

        path, label = self.samples[index]
        with Image.open(path) as img:
            img = img.convert("RGB")
            if img.size != (self.size, self.size):
                img = img.resize((self.size, self.size), Image.BILINEAR)
            arr = np.asarray(img, dtype=np.float32) / 255.0
        return torch.as_tensor(arr).permute(2, 0, 1).to(self.dtype), label
