"""The decoder kinds of the generator, each owning its embedding, network, start, loss and decoding.

A kind is chosen once per call from ``decoder`` (:func:`decoder_kind`); the estimator asks it
for what differs between kinds, and never branches on the name:

* :class:`ConvKind` ("cnn"): the order-2 scattering embedding and the convolutional decoder of
  Angles & Mallat (2018), trained on the error on the images;
* :class:`ProgressiveKind` ("progressive", slides 23-24): the embedding whitens y_J of the
  phase-harmonic pyramid; the decoder predicts y_J ... y_0 and inverts y_0 exactly, trained on
  the errors on every level (each relative to its size on the training images: the kind's
  loss holds those sizes, nothing is set on the estimator) and on the images.

Imported lazily: ``import skphase`` never imports torch.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np


def error(a, b, loss):
    """Mean absolute ("l1") or squared ("mse") error."""
    d = a - b
    return d.abs().mean() if loss == "l1" else (d * d).mean()


class DecoderKind:
    """The base of the decoder kinds: the geometry and the parameters they share."""

    #: whether ``augment="auto"`` chooses symmetries for this kind (else it adds none)
    chooses_symmetries = False

    def __init__(self, image_shape, J, *, n_components, L, width, kernel_size, loss, device=None, verbose=0):
        self.image_shape = tuple(int(s) for s in image_shape)
        self.n_colours = self.image_shape[2] if len(self.image_shape) == 3 else 1
        self.J, self.L, self.n_components = int(J), int(L), int(n_components)
        self.width, self.kernel_size, self.loss_name = int(width), int(kernel_size), loss
        self.device, self.verbose = device, verbose

    @staticmethod
    def images(X4):
        """The image targets: (n, H, W, C) -> (n, C, H, W) float32."""
        return np.moveaxis(X4, -1, 1).astype(np.float32)

    def embed(self, X4):
        """(S, targets): the vectors to whiten and the decoder's training targets."""
        raise NotImplementedError

    def augmented(self, X4, S, ops):
        """(S, targets) of the symmetries ``ops`` of the images X4 (whose embeddings are S)."""
        raise NotImplementedError

    def symmetric(self):
        """``symmetric(X4, S, ops)`` for ``augment="auto"``'s choice (None: permute the scattering)."""
        return None

    def build(self, device):
        """A new decoder module on ``device`` (initialised from torch's current seed)."""
        raise NotImplementedError

    def start(self, module, Z, targets, train_idx):
        """Set the untrained module's start from the training data (default: as built)."""

    def make_loss(self, targets, train_idx):
        """``loss(module, z, batch_targets)``: the training objective on one batch."""
        raise NotImplementedError

    def decode(self, module, z):
        """Images (n, C, H, W) decoded from embeddings z."""
        raise NotImplementedError

    def describe(self, load, Z, targets, idx):
        """Fitted attributes that describe the trained decoder (``load()`` gives it) on the images idx
        (default: none)."""
        return {}

    def sizes(self):
        """(features per image, per-image data bytes, decoder weights, activations per image)."""
        raise NotImplementedError


class ConvKind(DecoderKind):
    """"cnn": whitened order-2 scattering, the convolutional decoder, the error on the images."""

    chooses_symmetries = True

    @cached_property
    def embedding(self):
        from ._embedding import ScatteringEmbedding

        return ScatteringEmbedding(self.image_shape, self.J, self.L, self.device, self.verbose)

    def embed(self, X4):
        return self.embedding(X4), [self.images(X4)]

    def augmented(self, X4, S, ops):
        from ._augmentation import symmetric_embeddings

        X_aug, S_aug = symmetric_embeddings(X4, S, self.embedding, ops)
        return S_aug, [self.images(X_aug)]

    def build(self, device):
        from ._decoder import ConvDecoder

        return ConvDecoder(self.n_components, self.image_shape[:2], self.n_colours, self.J, self.width,
                           self.kernel_size).to(device)

    def make_loss(self, targets, train_idx):
        loss = self.loss_name

        def image_error(module, z, batch):
            return error(module(z), batch[0], loss)

        return image_error

    def decode(self, module, z):
        return module(z)

    def sizes(self):
        H, W = self.image_shape[:2]
        C, J, L = self.n_colours, self.J, self.L
        h0, w0 = -(-H // 2 ** J), -(-W // 2 ** J)
        features = C * (1 + J * L + L ** 2 * J * (J - 1) // 2) * h0 * w0
        params, act, c, k2 = self.n_components * self.width * h0 * w0, self.width * h0 * w0, self.width, \
            self.kernel_size ** 2
        for j in range(1, J + 1):
            c_out = max(8, c // 2)
            params += c * c_out * k2
            act += 3 * c_out * h0 * w0 * 4 ** j
            c = c_out
        params += c * C * k2
        return features, H * W * C * 4 + features * 8, params, act


class ProgressiveLoss:
    """The progressive objective, with each error relative to its target's size on the training images.

    The error on every level y_0 ... y_J of the decoded pyramid, on every level predicted from the
    true coarser one (teacher forcing: each step learns its own prediction instead of chasing the
    coarser steps' errors early on), both averaged, plus the error on the images that the last
    level inverts to. The phase-harmonic levels are far smaller than the pixels, and unscaled
    they left the levels free wherever U^-1 does not see them (relative level errors above 1).
    """

    def __init__(self, sizes, inverse, loss):
        self.sizes, self.inverse, self.loss = sizes, inverse, loss

    def __call__(self, module, z, targets):
        levels, images = targets[:-1], targets[-1]
        size, loss = self.sizes, self.loss
        chain = module(z)[::-1]  # [y_0, ..., y_J]
        terms = [error(a, b, loss) / size[j] for j, (a, b) in enumerate(zip(chain, levels))]
        terms += [error(a, b, loss) / size[j]
                  for j, (a, b) in enumerate(zip(module.teacher_forced(levels)[::-1], levels[:-1]))]
        return sum(terms) / len(terms) + error(self.inverse(chain[0]), images, loss) / size[-1]


class ProgressiveKind(DecoderKind):
    """"progressive": whitened y_J of the phase-harmonic pyramid, sparse steps down to y_0 = U x."""

    # 32 x 32 polygons, 1,000 images, 300 s each (2026-12-07, load 4-5): the 7 symmetries raised
    # the held-out PSNR from 25.99 to 26.28 and 26.80 dB (two runs) at equal training time (4-5
    # epochs of 7,200 images against 29 of 900; no generalisation gap left), as they do the CNN's;
    # "auto" chooses them on y_J as it does on S_J
    chooses_symmetries = True

    @cached_property
    def embedding(self):
        from ._embedding import PhaseHarmonicPyramid

        return PhaseHarmonicPyramid(self.image_shape, self.J, self.L, self.device, self.verbose)

    def embed(self, X4):
        levels = self.embedding(X4)
        return levels[-1].reshape(len(X4), -1).astype(np.float64), levels + [self.images(X4)]

    def augmented(self, X4, S, ops):
        from ._symmetries import apply_all

        # reflection-free pyramid: every symmetry's images are transformed again
        return self.embed(apply_all(X4, ops, rolled=False))

    def symmetric(self):
        return lambda X4, S, ops: self.augmented(X4, S, ops)[0]

    @property
    def u_channels(self):
        return self.n_colours * (1 + 2 * self.J * self.L)

    def build(self, device):
        from ._progressive import ProgressiveDecoder

        # one LISTA step per scale: at equal training time (32 x 32, 1,000 images, 300 s)
        # 15 epochs and 25.45 dB held-out, against 5 epochs and 23.71 dB with three
        return ProgressiveDecoder(self.n_components, self.u_channels, self.image_shape[:2], self.J,
                                  self.width, n_iter=1).to(device)

    def start(self, module, Z, targets, train_idx):
        torch = __import__("torch")

        # y_J starts at its least-squares prediction from Z (Z whitens y_J: nearly exact)
        # instead of a random map, orders of magnitude off the small phase-harmonic levels
        y_J = targets[-2][train_idx].reshape(len(train_idx), -1)
        design = np.hstack([Z[train_idx], np.ones((len(train_idx), 1))])
        coef = np.linalg.lstsq(design, y_J.astype(np.float64), rcond=None)[0]
        with torch.no_grad():
            module.linear.weight.copy_(torch.as_tensor(coef[:-1].T, dtype=torch.float32))
            module.linear.bias.copy_(torch.as_tensor(coef[-1], dtype=torch.float32))

    def make_loss(self, targets, train_idx):
        power = 1 if self.loss_name == "l1" else 2
        # the "loss" of predicting 0, per target, on the training images
        sizes = [max(float(np.mean(np.abs(t[train_idx]) ** power)), 1e-30) for t in targets]
        return ProgressiveLoss(sizes, self.embedding.inverse, self.loss_name)

    def decode(self, module, z):
        return self.embedding.invert(module(z)[-1])

    def describe(self, load, Z, targets, idx):
        """scale_errors_, innovation_correlation_, residual_correlation_ (see the estimator)."""
        torch = __import__("torch")
        from ._progressive import ProgressiveDecoder

        module = load()
        device = next(module.parameters()).device
        idx = idx[:256]
        levels = [torch.as_tensor(y[idx], device=device) for y in targets[:-1]]
        with torch.no_grad():
            pred = module(torch.as_tensor(Z[idx], dtype=torch.float32, device=device))[::-1]
            errors = [float(torch.linalg.norm(y_hat - y) / torch.linalg.norm(y).clamp_min(1e-30))
                      for y_hat, y in zip(pred, levels)]
            # innovations of the data (bilinear prediction) and residuals of the learned
            # prediction from the true coarser level, both indexed by scale j = 0 ... J-1
            innov = ProgressiveDecoder.innovations(levels)[::-1]
            resid = [y - p for y, p in zip(levels[:-1], module.teacher_forced(levels)[::-1])]
        return dict(scale_errors_=np.asarray(errors), innovation_correlation_=_scale_correlation(torch, innov),
                    residual_correlation_=_scale_correlation(torch, resid))

    def sizes(self):
        H, W = self.image_shape[:2]
        h0, w0 = -(-H // 2 ** self.J), -(-W // 2 ** self.J)
        channels = self.u_channels
        features = channels * h0 * w0
        data = channels * H * W * 4 * 4 // 3  # the pyramid y_0 ... y_J, float32
        params = self.J * self.width * channels * 2 + self.n_components * features
        return features, data, params, channels * H * W * 4


def _scale_correlation(torch, maps):
    """Correlation between maps[j] and maps[j + 1] upsampled to scale j, for j = 0 ... len - 2."""
    corr = []
    for j in range(len(maps) - 1):
        fine = maps[j]
        coarse = torch.nn.functional.interpolate(maps[j + 1], size=fine.shape[-2:], mode="bilinear",
                                                 align_corners=False)
        a, b = fine.flatten() - fine.mean(), coarse.flatten() - coarse.mean()
        corr.append(float((a * b).sum() / (a.norm() * b.norm()).clamp_min(1e-30)))
    return np.asarray(corr)


#: the ``decoder`` parameter's values and their kinds
KINDS = {"cnn": ConvKind, "progressive": ProgressiveKind}


def decoder_kind(name, image_shape, J, **params):
    """The decoder kind ``name`` ("cnn" or "progressive") for images of ``image_shape`` and J octaves."""
    return KINDS[name](image_shape, J, **params)
