"""A run's quality while it trains, and which snapshot it ships.

:class:`QualityProbe` measures a model in the middle of training (domain FID,
precision and recall of both weight sets, or a translator's to-target numbers) for
``zoo.train``'s run folder; its static methods are the snapshot policy: ``badness``
(what the best snapshot minimises), ``how_chosen`` (the same in words, for the card),
``trend`` (flat or still improving, for the card's verdict) and ``use_average``.
:func:`plot_quality` draws the record; :class:`FIDCallback` is the one-line probe
for your own ``fit``.
"""

from pathlib import Path

import keras

from zoo import data, errors, evaluation, images, metrics


class QualityProbe:
    """The quality of a model in training, measured cheaply enough to repeat.

    For a noise-to-image model: domain FID, precision and recall of ``n``
    samples (seed fixed, so successive rows differ only by the weights) against
    ``n`` training images (and, for a conditional model, ``label_accuracy``),
    for G's own weights and, when the model keeps them,
    for the averaged ones (keys ending in ``_average``). For an image-to-image
    model: ``zoo.evaluation.evaluate_translation`` on ``n`` test images
    per class (at most as many as the smaller class has). ``badness(row)`` is the
    number the best snapshot minimises; ``how_chosen(rows)`` says so in words.
    """

    def __init__(self, dataset, n=2000, seed=0):
        self.n, self.seed = errors.check_sample_count(n), seed
        self.pair = dataset if dataset in data.PAIRS or dataset in data.PAIRED else None
        # A paired set's (and a carved pair's) snapshots are chosen on its validation
        # split, never on the test images its card reports; the older pairs' on test.
        self.split = "validation" if dataset in data.PAIRED or dataset in data.CARVED else "test"
        if self.pair is not None:  # as many images a way as both domains have
            self.n = min(self.n, *(len(x) for x, _ in data.pair_domains(self.pair, self.split)))
        else:
            self.net = evaluation.load_classifier(dataset)
            real = evaluation.real_images(dataset, "train", min(n, 60000), seed)
            self.real_feats, _ = evaluation.features(self.net, real)

    @staticmethod
    def available(dataset):
        return dataset in evaluation.CLASSIFIERS or dataset in data.PAIRS or dataset in data.PAIRED

    def __call__(self, model):
        if self.pair is not None:
            result = evaluation.evaluate_translation(model, self.pair, self.n, self.split)
            return {f"{d}_{k}": v for d, row in result.items() for k, v in row.items()}
        row = {}
        sets = [("", False)] + ([("_average", True)] if getattr(model, "average", None) else [])
        labels = evaluation.asked_labels(model, self.n)
        for suffix, average in sets:
            fake = model.sample(self.n, seed=self.seed, labels=labels, average=average)
            feats, probs = evaluation.features(self.net, fake)
            pr = metrics.precision_recall(self.real_feats, feats, k=3)
            if labels is not None:
                row[f"label_accuracy{suffix}"] = evaluation.label_accuracy(probs, labels)
            row[f"fid{suffix}"] = round(metrics.frechet_distance_from_features(self.real_feats,
                                                                               feats), 3)
            row[f"precision{suffix}"] = round(pr["precision"], 4)
            row[f"recall{suffix}"] = round(pr["recall"], 4)
        return row

    @staticmethod
    def badness(row):
        """Lower is better: the best FID of the two weight sets, the share of
        translations *not* classified as their target (mean of both ways), for unpaired
        style transfer (CycleGAN) the share of the KID gap *not* closed (mean of both ways),
        and for a paired translator (pix2pix, one way) the mean L1 to the true counterpart
        as a share of the untranslated input's: its own objective, measured against the
        answer. (The KID gap of pix2pix-ming2kai was 99.6% closed at step 2,000 and flat
        after, while this ratio fell from 0.71 to 0.60 by step 20,000 and the glyphs
        became recognisably their own characters: the gap cannot tell those apart.)"""
        if "a2b_gap_closed" in row and "b2a_gap_closed" not in row:
            return row["a2b_l1_ratio"]
        if "a2b_gap_closed" in row:
            return 1.0 - (row["a2b_gap_closed"] + row["b2a_gap_closed"]) / 2
        if "a2b_target_class_rate" in row:
            return 1.0 - (row["a2b_target_class_rate"] + row["b2a_target_class_rate"]) / 2
        return min(row["fid"], row.get("fid_average", float("inf")))

    @staticmethod
    def how_chosen(rows):
        """In words, how ``badness`` picks the best of ``rows`` (for a shipped snapshot's record)."""
        steps = [r["train_steps"] for r in rows]
        every = steps[1] - steps[0] if len(steps) > 1 else steps[0]
        last = rows[-1]
        if "a2b_gap_closed" in last:
            split = last.get("eval_split", "test")
            each = f"each on {last['eval_n']:,} {split} images a way"
            rule = ("the largest share of the KID gap closed from the untranslated inputs "
                    "to the floor, mean of both ways" if "b2a_gap_closed" in last else
                    "the lowest mean L1 to the true counterpart, as a share of the "
                    "untranslated input's")
        elif "a2b_target_class_rate" in last:
            each = f"each on {last['eval_n']:,} test images a way"
            rule = "the highest share of translations classified as the target class, mean of both ways"
        else:
            each = f"each on {last['eval_n']:,} samples"
            rule = "the lowest FID of the two weight sets"
        return (f"the best of {len(rows)} quality measurements taken while training, one every "
                f"{every:,} steps, {each} (zoo.probe.QualityProbe.badness: {rule})")

    # A curve whose best over the last quarter beats the third quarter's by no more than
    # this share of it is flat: the model cards and the WGAN-claims report both say so.
    FLAT = 0.05

    @staticmethod
    def trend(rows, name, op):
        """Whether the curve of metric ``name`` still improved at the end of a run:
        ``(best of the third quarter of the rows, best of the last quarter)``, each
        the better of the two weight sets, better meaning lower for ``op`` ``"<="``.
        None with fewer than four rows or when the rows lack the metric."""
        pick = min if op == "<=" else max
        values = [pick(r[k] for k in (name, f"{name}_average") if r.get(k) is not None)
                  for r in rows if r.get(name) is not None]
        if len(values) < 4:
            return None
        quarter = len(values) // 4
        return pick(values[-2 * quarter:-quarter]), pick(values[-quarter:])

    @staticmethod
    def use_average(row):
        """Whether the averaged generator weights scored better in ``row``."""
        return row.get("fid_average", float("inf")) < row.get("fid", float("inf"))


class FIDCallback(keras.callbacks.Callback):
    """Every ``every`` epochs: domain FID into the logs (History, TensorBoard) and a grid.

    Put it *before* the TensorBoard callback so TensorBoard sees the value.
    Recipes use the fuller record of ``zoo.train`` (``QualityProbe``); this is
    the one-line version for your own ``fit``.
    """

    def __init__(self, dataset, every=1, n=2000, grid_dir=None, seed=0):
        super().__init__()
        self.every, self.n, self.seed = every, n, seed
        self.grid_dir = Path(grid_dir) if grid_dir else None
        self.net = evaluation.load_classifier(dataset)
        real = evaluation.real_images(dataset, "train", n, seed)
        self.real_feats, _ = evaluation.features(self.net, real)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        fake = self.model.sample(self.n, seed=self.seed)
        feats, _ = evaluation.features(self.net, fake)
        if logs is not None:
            logs["fid"] = metrics.frechet_distance_from_features(self.real_feats, feats)
        if self.grid_dir:
            images.save_grid(fake[:64], self.grid_dir / f"fid_epoch_{epoch + 1:03d}.png", cols=8)


def plot_quality(rows, path, title="", marked=None):
    """Draw a run's quality record (rows of ``QualityProbe`` plus step counts and
    wall time) as a PNG: the quality against generator updates and against wall
    hours, and the critic's Wasserstein estimate where the run logged one.
    ``marked``: the row of the shipped snapshot, circled.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not rows:
        raise errors.ZooValueError("no quality rows to plot; train with --eval_every > 0.")
    style = "a2b_gap_closed" in rows[0]  # style transfer: shares of the way, and of styles
    translation = style or "a2b_target_class_rate" in rows[0]
    series = ([(f"{d}_{k}", f"{d}: {label}") for k, label in (
                  ("gap_closed", "KID gap closed"), ("target_style_rate", "target style"),
                  ("category_kept_ratio", "category kept (vs real)")) for d in ("a2b", "b2a")]
              if style else
              [("a2b_target_class_rate", "a2b: classified as target"),
               ("b2a_target_class_rate", "b2a: classified as target")] if translation else
              [("fid", "G's own weights"), ("fid_average", "averaged G weights")])
    series = [(k, label) for k, label in series if any(k in r for r in rows)]
    wasserstein = any("wasserstein" in r for r in rows)
    fig, axes = plt.subplots(1, 3 if wasserstein else 2, figsize=(13 if wasserstein else 9, 3.6))
    for ax, x_key, x_label in ((axes[0], "generator_steps", "generator updates"),
                               (axes[1], "wall_time_s", "wall time (hours)")):
        scale = 3600.0 if x_key == "wall_time_s" else 1.0
        for key, label in series:
            pts = [(r[x_key] / scale, r[key]) for r in rows if r.get(key) is not None]
            if pts:
                ax.plot(*zip(*pts), marker=".", label=label)
            if marked is not None and marked.get(key) is not None:
                ax.plot(marked[x_key] / scale, marked[key], "o", mfc="none", ms=12, color="k")
        ax.set_xlabel(x_label)
        ax.set_ylabel("share (1: the floor / all)" if style else "share classified as target"
                      if translation else f"domain FID (n = {rows[-1].get('eval_n', '?'):,})")
        if not translation:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0].legend()
    if wasserstein:
        pts = [(r["generator_steps"], r["wasserstein"]) for r in rows if "wasserstein" in r]
        axes[2].plot(*zip(*pts), marker=".", color="tab:green")
        axes[2].set_xlabel("generator updates")
        axes[2].set_ylabel("critic's Wasserstein estimate")
        axes[2].grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    tmp = Path(path).with_name(f".{Path(path).name}.tmp.png")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(tmp, dpi=80)
    plt.close(fig)
    tmp.replace(path)
    return Path(path)
