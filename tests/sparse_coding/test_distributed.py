"""The large-scale path on CPU: image folder -> scattering batch by batch -> ISTC network;
checkpoint/resume equals a straight run, and 2-process DDP (gloo, torchrun) equals 1 process."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
PIL = pytest.importorskip("PIL")

from skphase.sparse_coding._distributed import train_from_folder  # noqa: E402
from skphase.sparse_coding._image_folder import ImageFolder  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KW = dict(image_size=16, J=1, L=2, n_reduced=4, n_components=8, n_layers=3, batch_size=4)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from PIL import Image

    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for c, name in enumerate(["stripes", "noise"]):
        (root / name).mkdir()
        for i in range(4):
            x = rng.random((20, 20, 3))
            if c == 0:
                x[::4] = 1.0
            Image.fromarray((255 * x).astype(np.uint8)).save(root / name / f"{i}.png")
    (root / "noise" / "notes.txt").write_text("not an image")
    return str(root)


def test_image_folder_reads_rgb_classes(folder):
    data = ImageFolder(folder, size=16)
    assert data.classes == ["noise", "stripes"] and len(data) == 8
    img, label = data[7]
    assert img.shape == (3, 16, 16) and label == 1 and 0 <= float(img.min()) <= float(img.max()) <= 1
    with pytest.raises(ValueError, match="sub-folder"):
        ImageFolder(os.path.join(folder, "noise"))


def test_checkpoint_resume_equals_a_straight_run(folder, tmp_path):
    straight = train_from_folder(folder, epochs=2, **KW)
    ckpt = str(tmp_path / "ckpt.pt")
    train_from_folder(folder, epochs=1, checkpoint=ckpt, **KW)
    resumed = train_from_folder(folder, epochs=2, checkpoint=ckpt, resume=True, **KW)
    assert len(resumed["losses"]) == 2
    for k, v in straight["params"].items():
        np.testing.assert_allclose(resumed["params"][k], v, rtol=1e-10, atol=1e-12, err_msg=k)
    assert straight["losses"][-1] < straight["losses"][0] * 1.5  # trained, and finite


def test_two_process_ddp_matches_one_process(folder, tmp_path):
    one = train_from_folder(folder, epochs=2, image_size=16, J=1, batch_size=4)
    out = tmp_path / "ddp.npz"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "skphase.sparse_coding._distributed", "--root", folder, "--out", str(out),
           "--epochs", "2", "--batch-size", "4", "--image-size", "16", "--J", "1"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    two = np.load(out)
    np.testing.assert_allclose(two["losses"], one["losses"], rtol=1e-8)
    for k, v in one["params"].items():
        np.testing.assert_allclose(two[k], v, rtol=1e-7, atol=1e-10, err_msg=k)


def test_estimator_entry_point_trains_on_the_folder_and_predicts_images(folder):
    from skphase.sparse_coding import LISTAClassifier

    hyper = dict(n_reduced=4, n_components=8, n_layers=3, batch_size=4, learning_rate=1e-2,
                 lambda_init=0.1, pooling="mean")
    clf = LISTAClassifier(**hyper, random_state=0)
    clf.fit_image_folder(folder, image_size=16, J=1, L=2, epochs=2)
    seed = int(np.random.RandomState(0).randint(2**31 - 1))  # what random_state=0 draws
    ref = train_from_folder(folder, image_size=16, J=1, L=2, epochs=2, seed=seed, **hyper)
    for k, v in ref["params"].items():
        np.testing.assert_allclose(clf.params_[k], v, rtol=1e-12, err_msg=k)
    assert list(clf.classes_) == ["noise", "stripes"] and clf.loss_curve_ == ref["losses"]
    data = ImageFolder(folder, size=16)
    images = np.stack([data[i][0].numpy() for i in range(len(data))])
    F = clf.image_features(images)
    assert F.shape == (8, clf.n_features_in_)
    # the numpy predict path gives the torch network's logits on the same features
    from skphase import ScatteringAverager
    from skphase.sparse_coding._distributed import _features, _Scattering
    from skphase.sparse_coding._torch_models import ISTCNetwork

    scat = _Scattering(16, 1, 2, "cpu")
    # the operator built from (size, J, L) is the transformer with its defaults, bit for bit
    planes = torch.as_tensor(images.reshape(-1, 16, 16), dtype=torch.float64)
    torch.testing.assert_close(scat.transform(planes), ScatteringAverager(J=1, L=2, flatten=False, backend="torch")
                               .fit(planes).transform(planes), rtol=0, atol=0)
    Z = (_features(scat, torch.as_tensor(images, dtype=torch.float64))
         - torch.as_tensor(ref["mean"])) / torch.as_tensor(ref["scale"])
    logits = ISTCNetwork(ref["params"], 3, "mean", "cpu")(Z).detach().numpy()
    np.testing.assert_allclose(clf.decision_function(F)[:], logits[:, 1] - logits[:, 0],
                               rtol=1e-8, atol=1e-10)
    assert set(clf.predict(F)) <= {"noise", "stripes"}
    with pytest.raises(ValueError, match="images must have shape"):
        clf.image_features(images[:, :, :8, :8])
    with pytest.raises(ValueError, match="n_processes"):
        clf.fit_image_folder(folder, n_processes=0)
    # n_processes=2 starts torchrun (DDP, gloo): the same model as one process
    two = LISTAClassifier(**hyper, random_state=0).fit_image_folder(
        folder, image_size=16, J=1, L=2, epochs=2, n_processes=2)
    np.testing.assert_allclose(two.loss_curve_, clf.loss_curve_, rtol=1e-8)
    for k, v in clf.params_.items():
        np.testing.assert_allclose(two.params_[k], v, rtol=1e-7, atol=1e-10, err_msg=k)
    np.testing.assert_array_equal(two.classes_, clf.classes_)
    np.testing.assert_array_equal(two.mean_, clf.mean_)
