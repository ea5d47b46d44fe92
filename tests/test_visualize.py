"""Tests of minitorch_cnn/png.py and examples/visualize.py.

PNG files are checked with a decoder written here from the PNG specification (chunks, CRCs,
zlib, the five row filters), independent of the writer: what is written must read back as
the same pixels, whichever backend (png.py or matplotlib) wrote it.
"""

from __future__ import annotations

import importlib.util
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from minitorch_cnn import data, models
from minitorch_cnn.checkpoint import save_checkpoint
from minitorch_cnn.png import write_png

_spec = importlib.util.spec_from_file_location(
    "visualize", Path(__file__).parents[1] / "examples" / "visualize.py"
)
visualize = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(visualize)

RNG = np.random.default_rng(0)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit, non-interlaced gray/RGB/RGBA PNG into (H, W, channels) uint8."""
    blob = Path(path).read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    position, chunks = 8, []
    while position < len(blob):
        (length,) = struct.unpack(">I", blob[position : position + 4])
        kind, payload = (
            blob[position + 4 : position + 8],
            blob[position + 8 : position + 8 + length],
        )
        (crc,) = struct.unpack(">I", blob[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + payload), f"CRC of {kind!r}"
        chunks.append((kind, payload))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    W, H, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, compression, filtering, interlace) == (8, 0, 0, 0)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(payload for kind, payload in chunks if kind == b"IDAT"))
    stride = W * channels
    assert len(raw) == H * (stride + 1)
    rows, previous = [], [0] * stride
    for r in range(H):
        kind, line = raw[r * (stride + 1)], list(raw[r * (stride + 1) + 1 : (r + 1) * (stride + 1)])
        for i in range(stride if kind else 0):  # filter 0 stores the bytes as they are
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            line[i] = (
                line[i] + [0, left, up, (left + up) // 2, _paeth(left, up, corner)][kind]
            ) % 256
        rows.append(line)
        previous = line
    return np.array(rows, dtype=np.uint8).reshape(H, W, channels)


def _gray(pixels: np.ndarray) -> np.ndarray:
    """(H, W) from a decoded gray, RGB or RGBA picture whose colour channels are equal."""
    if pixels.shape[2] >= 3:
        assert (pixels[:, :, 0] == pixels[:, :, 1]).all() and (
            pixels[:, :, 1] == pixels[:, :, 2]
        ).all()
        assert pixels.shape[2] == 3 or (pixels[:, :, 3] == 255).all()
    return pixels[:, :, 0]


# ----- png.py ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, colour_type", [((5, 7), 0), ((3, 4, 3), 2), ((2, 1, 4), 6), ((1, 1), 0)]
)
def test_write_png_reads_back_the_same_pixels(
    tmp_path: Path, shape: tuple, colour_type: int
) -> None:
    pixels = RNG.integers(0, 256, shape, dtype=np.uint8)
    write_png(tmp_path / "a.png", pixels)
    blob = (tmp_path / "a.png").read_bytes()
    # IHDR right after the signature: length 13, width, height, depth 8, the colour type
    assert blob[8:16] == b"\x00\x00\x00\x0dIHDR"
    assert struct.unpack(">IIBB", blob[16:26]) == (shape[1], shape[0], 8, colour_type)
    decoded = read_png(tmp_path / "a.png")
    np.testing.assert_array_equal(decoded.reshape(pixels.shape), pixels)


def test_write_png_takes_any_memory_layout(tmp_path: Path) -> None:
    pixels = RNG.integers(0, 256, (6, 8), dtype=np.uint8)
    write_png(tmp_path / "t.png", pixels.T[::-1])  # transposed and reversed view
    np.testing.assert_array_equal(read_png(tmp_path / "t.png")[:, :, 0], pixels.T[::-1])


def test_one_gray_pixel_byte_for_byte(tmp_path: Path) -> None:
    write_png(tmp_path / "p.png", np.array([[7]], dtype=np.uint8))
    blob = (tmp_path / "p.png").read_bytes()
    ihdr = b"IHDR" + b"\x00\x00\x00\x01" + b"\x00\x00\x00\x01" + b"\x08\x00\x00\x00\x00"
    assert blob[8:33] == b"\x00\x00\x00\x0d" + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    (length,) = struct.unpack(">I", blob[33:37])
    assert blob[37:41] == b"IDAT" and zlib.decompress(blob[41 : 41 + length]) == b"\x00\x07"
    assert blob[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the CRC every PNG ends with


@pytest.mark.parametrize(
    "bad, error",
    [
        (np.zeros((2, 2)), TypeError),
        ([[0, 1]], TypeError),
        (np.zeros((2, 2, 2), np.uint8), ValueError),
        (np.zeros((0, 3), np.uint8), ValueError),
        (np.zeros(4, np.uint8), ValueError),
    ],
)
def test_write_png_rejects_what_it_cannot_write(tmp_path: Path, bad: object, error: type) -> None:
    with pytest.raises(error, match="write_png expects"):
        write_png(tmp_path / "x.png", bad)  # type: ignore[arg-type]
    assert not (tmp_path / "x.png").exists()


# ----- the pictures ------------------------------------------------------------------------------


def test_to_unit_scales_each_map_on_its_own() -> None:
    maps = np.array([[[-2.0, 1.0]], [[0.0, 0.0]], [[0.0, 4.0]]])
    np.testing.assert_allclose(
        visualize.to_unit(maps, signed=True), [[[0.0, 0.75]], [[0.5, 0.5]], [[0.5, 1.0]]]
    )
    maps = np.array([[[0.0, 2.0, 4.0]], [[0.0, 0.0, 0.0]]])
    np.testing.assert_allclose(
        visualize.to_unit(maps, signed=False), [[[0.0, 0.5, 1.0]], [[0.0, 0.0, 0.0]]]
    )


def test_tile_places_enlarged_maps_in_a_grid() -> None:
    maps = np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.2, 0.2], [0.2, 0.2]], [[1.0, 1.0], [0.0, 0.0]]])
    picture = visualize.tile(maps, columns=2, scale=3)
    gap, side = 2, 2 * 3  # a 2x2 map enlarged 3 times, 2 pixels of background around it
    assert picture.dtype == np.uint8
    assert picture.shape == (2 * (side + gap) + gap, 2 * (side + gap) + gap)
    tile1 = picture[gap : gap + side, 2 * gap + side : 2 * gap + 2 * side]  # map 1: row 0, column 1
    assert (tile1 == 51).all()  # 0.2 * 255
    tile2 = picture[2 * gap + side : 2 * gap + 2 * side, gap : gap + side]  # map 2: row 1, column 0
    assert (tile2[:3] == 255).all() and (tile2[3:] == 0).all()
    tile0 = picture[gap : gap + side, gap : gap + side]
    assert (tile0[:3, :3] == 0).all() and (tile0[:3, 3:] == 255).all()
    empty = picture[2 * gap + side : 2 * gap + 2 * side, 2 * gap + side : 2 * gap + 2 * side]
    assert (empty == visualize._BACKGROUND).all() and (picture[:gap] == visualize._BACKGROUND).all()


def test_both_backends_write_the_same_pixels(tmp_path: Path) -> None:
    pixels = RNG.integers(0, 256, (9, 13), dtype=np.uint8)
    assert visualize.save(tmp_path / "png.png", pixels, "png") == "png"
    used = visualize.save(tmp_path / "auto.png", pixels, "auto")
    try:
        import matplotlib  # noqa: F401

        assert used == "matplotlib"
        assert visualize.save(tmp_path / "mpl.png", pixels, "matplotlib") == "matplotlib"
        np.testing.assert_array_equal(_gray(read_png(tmp_path / "mpl.png")), pixels)
    except ImportError:
        assert used == "png"
        with pytest.raises(ImportError, match="pip install matplotlib"):
            visualize.save(tmp_path / "mpl.png", pixels, "matplotlib")
    for name in ("png.png", "auto.png"):
        np.testing.assert_array_equal(_gray(read_png(tmp_path / name)), pixels)
    with pytest.raises(ValueError, match="backend must be"):
        visualize.save(tmp_path / "x.png", pixels, "svg")


# ----- the program ---------------------------------------------------------------------------


def test_pictures_of_a_checkpointed_model(
    tmp_path: Path, mnist_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    """Filter f of a SimpleCNN is set to a single +1 at tap f % 9 (filter 0 also gets -0.5 at
    tap 8), so its tile is known by hand, and filter 4 (the centre tap) copies the image."""
    model = models.SimpleCNN(generator=np.random.default_rng(0))
    conv = model.conv_layers[0]
    conv.weight.numpy()[...] = 0
    conv.bias.numpy()[...] = 0
    for f in range(32):
        conv.weight.numpy()[f, 0].flat[f % 9] = 1.0
    conv.weight.numpy()[0, 0, 2, 2] = -0.5
    save_checkpoint(tmp_path / "m.npz", model)
    out = tmp_path / "pictures"
    assert (
        visualize.main(
            [
                "--checkpoint",
                str(tmp_path / "m.npz"),
                "--out",
                str(out),
                "--backend",
                "png",
                "--data-dir",
                str(mnist_dir),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "loaded SimpleCNN" in printed and "test image 0: label 7" in printed
    )  # the first test digit is a 7
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "filters.png",
        "input.png",
        "stage1_conv_layers.0_Conv2d.png",
        "stage2_conv_layers.2_MaxPool2d.png",
        "stage3_conv_layers.3_Conv2d.png",
        "stage4_conv_layers.5_MaxPool2d.png",
    ]

    filters = _gray(read_png(out / "filters.png"))
    scale, gap = 40 // 3, 2  # 3x3 filters enlarged to 39 pixels, 8 per row, 4 rows
    step = 3 * scale + gap
    assert filters.shape == (4 * step + gap, 8 * step + gap)
    for f in range(32):
        top, left = (f // 8) * step + gap, (f % 8) * step + gap
        taps = filters[
            top : top + 3 * scale : scale, left : left + 3 * scale : scale
        ]  # one pixel per tap
        expected = np.full(9, 128)  # a zero weight is mid gray: rint(0.5 * 255)
        expected[f % 9] = 255  # the largest weight is white
        if f == 0:
            expected[8] = 64  # -0.5 of a largest magnitude 1: rint((0.5 - 0.25) * 255)
        assert taps.ravel().tolist() == expected.tolist(), f"filter {f}"

    images, _ = data.load_mnist(mnist_dir, train=False, download=False)
    digit = _gray(read_png(out / "input.png"))
    scale = 96 // 28 * 2
    np.testing.assert_array_equal(
        digit[gap:-gap, gap:-gap], np.kron(images[0], np.ones((scale, scale), np.uint8))
    )

    stage1 = _gray(read_png(out / "stage1_conv_layers.0_Conv2d.png"))
    scale = 96 // 28  # 28x28 maps, 32 of them in rows of 8
    step = 28 * scale + gap
    assert stage1.shape == (4 * step + gap, 8 * step + gap)
    # filter 4 is the centre tap: its map is the normalized image, 0.5 + 0.5 x / max|x|
    x = (images[0] / 255 - 0.1307) / 0.3081
    expected = np.rint(255 * (0.5 + 0.5 * x / np.abs(x).max()))
    got = stage1[
        gap : gap + 28 * scale : scale, 4 * step + gap : 4 * step + gap + 28 * scale : scale
    ]
    assert np.abs(got - expected).max() <= 1
    assert (
        _gray(read_png(out / "stage4_conv_layers.5_MaxPool2d.png")).shape
        == (8 * (7 * 13 + gap) + gap,) * 2
    )


def test_training_then_drawing(
    tmp_path: Path, mnist_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    assert (
        visualize.main(
            [
                "--steps",
                "2",
                "--out",
                str(tmp_path),
                "--backend",
                "png",
                "--data-dir",
                str(mnist_dir),
                "--index",
                "1",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "step 2/2 loss" in printed and "test image 1: label 2" in printed
    assert len(list(tmp_path.glob("stage*.png"))) == 4
    assert read_png(tmp_path / "filters.png").shape == (4 * (39 + 2) + 2, 8 * (39 + 2) + 2, 1)


def test_a_model_without_convolutions_is_refused(tmp_path: Path, mnist_dir: Path) -> None:
    save_checkpoint(tmp_path / "mlp.npz", models.MLP(generator=np.random.default_rng(0)))
    with pytest.raises(SystemExit, match="MLP has no Conv2d layer"):
        visualize.main(
            [
                "--checkpoint",
                str(tmp_path / "mlp.npz"),
                "--out",
                str(tmp_path),
                "--data-dir",
                str(mnist_dir),
            ]
        )
    with pytest.raises(SystemExit, match="--index must be in"):
        visualize.main(["--index", "10000", "--data-dir", str(mnist_dir), "--out", str(tmp_path)])
