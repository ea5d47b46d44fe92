"""torchvision's augmentations on ndarray images and tensors: values by hand.

Read next: ``tests/test_vision.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn.vision import transforms as T

IMG = np.arange(12, dtype=np.uint8).reshape(3, 4)  # (H, W), as a grayscale picture


def test_flips_pads_and_crops_by_hand() -> None:
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(IMG), IMG[:, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(IMG), IMG[::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(IMG), IMG)
    padded = T.Pad((1, 2))(IMG)  # 1 left and right, 2 top and bottom
    assert padded.shape == (7, 6) and padded[2:5, 1:5].tolist() == IMG.tolist()
    assert padded.sum() == IMG.sum()
    np.testing.assert_array_equal(T.Pad(1, padding_mode="edge")(IMG)[0], [0, 0, 1, 2, 3, 3])
    np.testing.assert_array_equal(T.CenterCrop(2)(IMG), [[1, 2], [5, 6]])
    crops = {T.RandomCrop((3, 3))(IMG).tolist()[0][0] for _ in range(40)}
    assert crops == {0, 1}  # the two places a 3x3 window fits in a 3x4 image
    assert T.RandomCrop(6, padding=2)(IMG).shape == (6, 6)
    with pytest.raises(ValueError, match="larger than input"):
        T.RandomCrop(5)(IMG)


def test_rotation_by_90_degrees_is_rot90_and_fill_goes_outside() -> None:
    square = np.arange(9, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(T.RandomRotation((90, 90))(square), np.rot90(square))
    turned = T.RandomRotation((45, 45), fill=-1)(np.ones((5, 5), np.float32))
    assert turned[0, 0] == -1 and turned[2, 2] == 1  # corners come from outside


def test_resize_bilinear_and_shorter_side() -> None:
    up = T.Resize((2, 4))(np.array([[0.0, 4.0]], dtype=np.float32))
    np.testing.assert_allclose(up[0], [0.0, 1.0, 3.0, 4.0])  # half-pixel centres, edges clamped
    assert T.Resize(2)(np.zeros((4, 6), np.uint8)).shape == (2, 3)
    assert T.Resize(8)(IMG).dtype == np.uint8


def test_tensors_and_channels_keep_their_layout() -> None:
    x = mt.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))  # (C, H, W)
    flipped = T.RandomHorizontalFlip(p=1.0)(x)
    assert isinstance(flipped, mt.Tensor)
    np.testing.assert_array_equal(flipped.numpy(), x.numpy()[..., ::-1])
    rgb = np.zeros((3, 4, 3), np.uint8)  # (H, W, C), as a colour picture
    assert T.CenterCrop(2)(rgb).shape == (2, 2, 3)
    pipeline = T.Compose([T.RandomRotation(10), T.ToTensor()])
    assert pipeline(IMG).shape == (1, 3, 4)


def test_random_choices_repeat_after_manual_seed() -> None:
    mt.manual_seed(3)
    first = [T.RandomCrop(2)(IMG).tolist() for _ in range(5)]
    mt.manual_seed(3)
    assert [T.RandomCrop(2)(IMG).tolist() for _ in range(5)] == first
