"""pix2pix (Isola et al. 2017) on tiny models and made-up pairs: the U-Net's shape, the
objective it logs, its test-time dropout, the paired pipeline's shared jitter, the
validation split, and the paired scores against a translator that knows the answer.
The variant's training on every backend, under MirroredStrategy, in mixed precision,
its golden weights and its export run in the suites that take one preset per variant
(``tests/tiny.one_per_variant``)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo import data, errors, evaluation
from zoo.models import Pix2Pix
from zoo.models.pix2pix import TestTimeDropout, levels_for
from zoo.probe import QualityProbe

from tiny import build

TINY = dict(image_size=16, channels=3, width=4)


def test_the_u_net_halves_to_one_pixel_and_skips_every_level():
    assert levels_for(64) == 6 and levels_for(256) == 8  # the paper's eight at 256 px
    for bad in (48, 4, 100):
        with pytest.raises(errors.ZooValueError, match="power of two"):
            levels_for(bad)
    model = Pix2Pix(image_size=64, channels=3, width=8)
    g = model.generator
    down = [l for l in g.layers if isinstance(l, keras.layers.Conv2D)
            and not isinstance(l, keras.layers.Conv2DTranspose)]
    assert len(down) == 6 and [l.filters for l in down] == [8, 16, 32, 64, 64, 64]
    assert len([l for l in g.layers if isinstance(l, keras.layers.Concatenate)]) == 5  # the skips
    assert [l.rate for l in g.layers if isinstance(l, TestTimeDropout)] == [0.5] * 3
    assert not any(isinstance(l, TestTimeDropout) for l in Pix2Pix(**TINY, dropout=0).generator.layers)
    # The discriminator judges (source, image) pairs: twice the channels.
    assert model.discriminator.input_shape[-1] == 6
    assert model.directions == ("a2b",)


def test_a_step_minimises_the_gan_loss_plus_100_l1_and_moves_both_players():
    keras.utils.set_random_seed(0)
    model = build("pix2pix-noto2twemoji")
    source, target = model.example_batch(2)
    before = [v.numpy().copy() for v in model.generator.trainable_variables[:1]
              + model.discriminator.trainable_variables[:1]]
    logs = model.fit(source, target, batch_size=1, epochs=1, verbose=0, shuffle=False).history
    assert logs["g_loss"][-1] == pytest.approx(logs["gan_loss"][-1] + 100 * logs["l1_loss"][-1],
                                               rel=1e-4)
    after = [v.numpy() for v in model.generator.trainable_variables[:1]
             + model.discriminator.trainable_variables[:1]]
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))
    assert int(model.d_steps.numpy()) == int(model.g_steps.numpy()) == 2
    # Training drew its own dropout masks, one draw per generator pass.
    assert [int(l.calls.numpy()) for l in model.dropouts()] == [2, 2, 2]


def test_translation_depends_on_the_image_and_the_seed_alone():
    model = Pix2Pix(**TINY)
    model.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (5, 16, 16, 3)).astype("float32")
    a = model.translate(x, seed=3)
    np.testing.assert_allclose(model.translate(x, seed=3, batch_size=2), a, atol=1e-6)
    np.testing.assert_allclose(model.translate(x[2], seed=3), a[2], atol=1e-6)  # alone or in a batch
    assert np.abs(model.translate(x, seed=4) - a).max() > 1e-3  # the dropout is on at test time
    calls = [int(l.calls.numpy()) for l in model.dropouts()]
    model.translate(x, seed=9)
    assert [int(l.calls.numpy()) for l in model.dropouts()] == calls  # training's draws stay
    assert [int(l.inference_seed.numpy()) for l in model.dropouts()] == [0, 0, 0]
    np.testing.assert_allclose(model.predict(x, batch_size=2, verbose=0), model.translate(x),
                               atol=1e-6)
    without = Pix2Pix(**TINY, dropout=0)
    np.testing.assert_array_equal(without.translate(x, seed=1), without.translate(x, seed=2))


def test_bad_inputs_say_what_to_do():
    model = build("pix2pix-noto2twemoji")
    x = model.example_batch(2)[0]
    with pytest.raises(errors.ZooValueError, match="'a2b' for this Pix2Pix"):
        model.translate(x, "b2a")
    with pytest.raises(errors.ZooValueError, match="multiples of 16"):
        model.translate(x[:, :8, :8])
    with pytest.raises(errors.ZooValueError, match="seed"):
        model.translate(x, seed=-1)
    with pytest.raises(errors.ZooValueError, match="emoji_paired"):
        model.train_step(tf.constant(x))
    with pytest.raises(errors.ZooValueError, match="translate"):
        model.sample(2)
    for bad, match in [({"dropout": 1.0}, "dropout"), ({"l1_weight": -1}, "l1_weight"),
                       ({"image_size": 24}, "power of two")]:
        with pytest.raises(errors.ZooValueError, match=match):
            Pix2Pix(**{**TINY, **bad})


def test_a_pair_is_cropped_and_flipped_the_same_way():
    with data.mock_arrays(num_examples=16):
        # The same images as source and target: equal batches iff the jitter is shared.
        data._MOCK["emoji/twemoji"] = data._MOCK["emoji/noto"]
        paired = data.load("emoji_paired/noto2twemoji", batch_size=4, seed=1)
        unpaired = data.load("emoji_pair/noto2twemoji", batch_size=4, seed=1)
        for g in range(3):
            a, b = paired[g]
            np.testing.assert_array_equal(a, b)
            assert a.shape == (4, 64, 64, 3)
        assert any(not np.array_equal(*unpaired[g]) for g in range(3))
        # Resumable: global batch 2 is batch 2 whatever the start.
        again = data.load("emoji_paired/noto2twemoji", batch_size=4, seed=1, repeat=True, start=2)
        np.testing.assert_array_equal(again[0][0], paired[2][0])


def write_arrays(path, files_):
    n = len(files_)
    images = np.arange(n, dtype=np.uint8)[:, None, None, None] * np.ones((1, 64, 64, 3), np.uint8)
    np.savez(path, train_images=images, train_labels=np.arange(n) % 10, train_files=np.array(files_),
             test_images=images[:2], test_labels=np.arange(2), test_files=np.array(files_[:2]))


def test_validation_is_carved_from_train_keeping_an_emoji_with_its_skin_tones(tmp_path):
    files_ = []
    for base in range(40):
        files_.append(f"1f{base:03x}.png")
        if base % 5 == 0:
            files_ += [f"1f{base:03x}-1f3fb.png", f"1f{base:03x}-1f3fd.png"]
    for style in ("noto", "twemoji"):
        (tmp_path / "zoo" / "emoji").mkdir(parents=True, exist_ok=True)
        write_arrays(tmp_path / "zoo" / "emoji" / f"{style}.npz", files_)
    mask = data.validation_mask("emoji/noto", data_dir=tmp_path)
    chosen = sorted({f[:5] for f, m in zip(files_, mask) if m})
    assert chosen == ["1f005", "1f00f", "1f019", "1f023"]  # every 10th emoji from the 6th
    # Every image of a chosen emoji (its skin tones too) is in validation, and only there.
    for f, m in zip(files_, mask):
        assert m == (f[:5] in chosen)
    train = data.paired_split("emoji_paired/noto2twemoji", "train", data_dir=tmp_path)
    validation = data.paired_split("emoji_paired/noto2twemoji", "validation", data_dir=tmp_path)
    assert len(train[0]) + len(validation[0]) == len(files_) and len(validation[0]) == mask.sum()
    assert not set(train[0][:, 0, 0, 0]) & set(validation[0][:, 0, 0, 0])
    # The unpaired emoji pair (CycleGAN's) holds out the same emoji, both styles.
    for split, paired in (("train", train), ("validation", validation)):
        for (x, _), expected in zip(data.pair_domains("emoji_pair/noto2twemoji", split, tmp_path),
                                    paired[:2]):
            np.testing.assert_array_equal(x, data.to_model_range(expected, 64, 3))
    with pytest.raises(errors.ZooValueError, match="'validation'"):
        data.paired_split("emoji_paired/noto2twemoji", "dev", data_dir=tmp_path)


class Oracle(Pix2Pix):
    """A translator that returns the true counterpart of each validation source."""

    def translate(self, images, direction=None, batch_size=16, *, seed=0):
        (a, _), (b, _) = data.pair_domains("emoji_paired/noto2twemoji", "validation")
        return b[[int(np.flatnonzero((a == x).all(axis=(1, 2, 3)))[0]) for x in images]]


def test_the_probe_chooses_on_validation_and_scores_one_way(monkeypatch):
    with data.mock_arrays(num_examples=40):
        probe = QualityProbe("emoji_paired/noto2twemoji", n=2000)
        assert probe.split == "validation" and probe.n == 4  # every 10th of 40, from the 6th
        model = Oracle(image_size=64, channels=3, width=2)
        # The emoji classifier is the shipped one; the made-up images only need its shape.
        row = probe(model)
    assert "b2a_l1" not in row and row["a2b_l1"] == 0 and row["a2b_l1_ratio"] == 0
    assert row["a2b_checkerboard"] == pytest.approx(1.0)
    # A paired translator is ranked by how near it comes to the true answer, not by the
    # KID gap (which pix2pix-ming2kai had closed at step 2,000, long before its glyphs were
    # their own characters): these are that run's validation rows at 2k and 20k.
    assert QualityProbe.badness(row) == 0
    rows = [{"train_steps": s, "eval_n": 609, "eval_split": "validation", "a2b_gap_closed": g,
             "a2b_l1_ratio": l1} for s, g, l1 in ((2000, 0.996, 0.706), (20000, 0.99, 0.597))]
    assert min(rows, key=QualityProbe.badness)["train_steps"] == 20000
    words = QualityProbe.how_chosen(rows)
    assert "609 validation images a way" in words and "lowest mean L1 to the true" in words
    assert "KID" not in words


def test_checkerboard_share_sees_a_period_two_grid():
    yy, xx = np.mgrid[:16, :16]
    blob = np.exp(-((yy - 8.0) ** 2 + (xx - 7.0) ** 2) / 18.0)  # a soft disc, like an emoji
    smooth = np.tile((2 * blob - 1)[None, :, :, None], (2, 1, 1, 3))
    grid = smooth + 0.2 * ((np.indices((16, 16)).sum(0) % 2) * 2 - 1)[None, :, :, None]
    assert evaluation.checkerboard_share(grid) > 10 * evaluation.checkerboard_share(smooth)
    assert 0 <= evaluation.checkerboard_share(smooth) < 0.05


def test_the_paper_s_norm_keeps_a_scale_and_shift_and_old_configs_mean_without():
    paper = Pix2Pix(**TINY)
    norms = [l for net in (paper.generator, paper.discriminator) for l in net.layers
             if isinstance(l, keras.layers.GroupNormalization)]
    assert norms and all(l.scale and l.center for l in norms)
    plain = Pix2Pix(**TINY, norm_affine=False)
    assert len(plain.generator.weights) == len(paper.generator.weights) - 2 * len(
        [l for l in paper.generator.layers if isinstance(l, keras.layers.GroupNormalization)])
    # A config saved before the setting existed is of a network without them.
    config = plain.get_config()
    del config["norm_affine"]
    assert Pix2Pix.from_config(config).norm_affine is False
    assert Pix2Pix.from_config(paper.get_config()).norm_affine is True


def test_the_resize_decoder_has_no_transposed_convolution_and_round_trips():
    model = Pix2Pix(**TINY, decoder="resize")
    g = model.generator
    assert not any(isinstance(l, keras.layers.Conv2DTranspose) for l in g.layers)
    assert len([l for l in g.layers if isinstance(l, keras.layers.UpSampling2D)]) == model.levels
    x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    out = model.translate(x)
    assert out.shape == x.shape and np.abs(out).max() <= 1
    again = Pix2Pix.from_config(model.get_config())
    assert again.decoder == "resize"
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.translate(x), out, atol=1e-6)
    assert "decoder" not in Pix2Pix(**TINY).get_config()  # the paper's, as saved before it
    with pytest.raises(errors.ZooValueError, match="'transpose', 'resize'"):
        Pix2Pix(**TINY, decoder="bilinear")
