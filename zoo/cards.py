"""A shipped checkpoint's card, made from its record: the one place card text is written.

``section`` is a preset's card, read from its ``metadata.json`` (the training record a ship
writes, the evaluation ``measure`` adds, the studies of ``tools/generator_studies.py``);
``readme`` wraps it in the Hub's front matter, as the checkpoint's own ``README.md`` and as
what ``publish`` pushes; ``write_model_card`` puts every card into MODEL_CARD.md.
``finish`` is what a ship does after the weights are written: measure, samples, card.
"""

import json
import shlex
from pathlib import Path

import numpy as np

from zoo import checkpoint, data, errors, evaluation, files, hub, images, registry
from zoo.probe import QualityProbe

ROOT = Path(__file__).resolve().parent.parent  # the checkout: docs/history/<preset>.md
# The heading of a history's account of a missed target (docs/history/<preset>.md).
WHY = "Why the shipped checkpoint misses its target"
EMOJI_LICENCE = ("Trained on emoji images from the npm packages emoji-datasource-google@16.0.0 "
                 "(Noto Emoji, Google, Apache-2.0) and emoji-datasource-twitter@16.0.0 (Twemoji, "
                 "Copyright Twitter, Inc and other contributors, CC-BY 4.0); images made from "
                 "Twemoji carry its attribution (zoo/emoji_data.py).")
HANZI_LICENCE = ("Trained on glyphs drawn from Debian's fonts-arphic-uming (AR PL UMing) and "
                 "fonts-arphic-ukai (AR PL UKai), Copyright 1994-1999 Arphic Technology Co., "
                 "Ltd., under the Arphic Public License (zoo/hanzi_data.py).")



def licence(dataset):
    """The data licence line of a preset trained on ``dataset``, or None."""
    return (EMOJI_LICENCE if dataset.startswith("emoji") else
            HANZI_LICENCE if dataset.startswith("hanzi") else None)


def issue_of(preset):
    """The issue that set the preset's target."""
    if preset.task == "image-to-image" and (preset.cls.directions == ("a2b",)
                                           or preset.dataset.startswith("hanzi")):
        return 49  # pix2pix and the calligraphy pair
    return 33 if preset.dataset.startswith("emoji") else 14


def folder_megabytes(folder):
    return sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file()) / 1e6


def references_file(dataset):
    return f"references-{dataset.replace('/', '-')}.json"


def schedule_note(train, preset):
    """How the shipped run's length compares with the published schedule."""
    published, steps = preset.schedule.steps, train.get("train_steps") or 0
    if steps < published:
        return (f"trained {steps:,} of the published schedule's {published:,} steps, on a CPU "
                "(a deviation)")
    beyond = f" and {steps - published:,} beyond" if steps > published else ""
    return f"trained the published schedule ({published:,} steps){beyond}"


def target_lines(name, preset, meta):
    """The card's verdict on the preset's quality target and, where it is not met,
    what the training curve says: still improving at the end (the budget is the
    limit) or flat (more of the same run will not reach it)."""

    measured = meta.get("evaluation", {}).get("metrics")
    if not preset.target or not measured:
        return []
    checks = evaluation.check_target(measured, preset.target)
    said = ", ".join(f"{n} {op} {bound:g}" for n, op, bound, _, _ in checks)
    got = ", ".join(f"{n} {v}" + ("" if met or len(checks) == 1 else " (missed)")
                    for n, _, _, v, met in checks)
    missed = [(n, op) for n, op, _, _, met in checks if not met]
    issue = issue_of(preset)
    lines = [f"- Target (issue {issue}): {said}. **{'Not met' if missed else 'Met'}**: {got}."]
    rows = meta.get("training", {}).get("curve", [])
    for n, op in missed:
        trend = QualityProbe.trend(rows, n, op)
        if trend is None:
            continue
        before, last = trend
        gain = ((before - last) if op == "<=" else (last - before)) / abs(before)
        each = (f"{rows[-1]['eval_n']:,} {rows[-1].get('eval_split', 'test')} images a way"
                if "a2b" in " ".join(rows[-1]) else f"{rows[-1]['eval_n']:,} samples")
        lines.append(
            f"- Its curve, {n} (each measurement on {each}): the best was {before:g} over the "
            f"third quarter of the measurements and {last:g} over the last quarter "
            f"({abs(gain):.0%} {'better' if gain >= 0 else 'worse'}). "
            + ("Still improving when the run stopped: the budget is the limit (a longer "
               "`--steps`)." if gain > QualityProbe.FLAT else
               "Flat or worse at the end: more steps of the same run are unlikely to reach "
               "the target."))
    history = Path("docs/history") / f"{name}.md"
    if (ROOT / history).exists():
        text = (ROOT / history).read_text()
        lines.append(f"- {'Why' if missed and WHY in text else 'How'}, as measured, run by run: "
                     f"[`{history}`]({history}).")
    return lines


CARD_HEAD = """# Model card: the zoo's shipped checkpoints

Every number below was measured on the checkpoint as shipped, by the ship itself or by
`python tools/evaluate_checkpoints.py` since, and every training record was written by the
recipe run itself (both are in `checkpoints/<preset>/metadata.json`; each section is also the
checkpoint's own card, `checkpoints/<preset>/README.md`). Metrics use the zoo's own domain classifiers as the
feature extractor (`checkpoints/classifier-*`), so they compare checkpoints with each other
and with the reference rows; they are **not** comparable to published Inception FIDs.

Protocol: 10,000 samples (seed 0) against 10,000 training images (seed 0); FID on the
classifier's 128-d features; KID with a cubic polynomial kernel, 50 subsets of 1,000;
precision/recall of Kynkaanniemi et al. (k = 3); classifier score = Inception Score formula
with the domain classifier; classes covered = classes holding at least 1% of a uniform share.

Checkpoints retrained since the quality campaign (issue 14) carry their training curve
(`checkpoints/<preset>/curve.png`: domain FID on 2,000 samples, measured while training, for
the generator's own weights and for their moving average), and say which snapshot was shipped
and how it was chosen. Older ones say nothing of the kind: they are the last state of a short
run.

Each card states its preset's quality target (issue 14; `"target"` in the preset's record in
`zoo/models/`) and whether the shipped checkpoint meets it. Where it does not, the card reads
the training curve: the best value over the third quarter of the measurements against the best
over the last quarter. Still improving means the run's budget was the limit; flat means more of
the same run will not get there, and the preset's recipe then says why, as measured (what was
ruled out, and what it would take); the card points to it.

The checkpoints were trained on TensorFlow; their weights load on the JAX and PyTorch backends
of Keras too and give the same images for the same seed, within 3e-5
(`tests/test_backends.py` checks every shipped checkpoint on all three).
"""


def _yaml_card(name, meta, preset):
    """The card's metadata, written as the Hub's README.md writes it (zoo.hub.card_yaml)."""
    dataset = meta.get("training", {}).get("dataset", "")
    yaml = hub.card_yaml(name, preset.task, dataset, hub.card_metrics(meta),
                         tags=[preset.cls.__name__])
    return f"```yaml\n{yaml}\n```"


def _reproduce(preset, train):
    """The command that rebuilds the shipped checkpoint from nothing, or its chain of runs.
    A run its ``--minutes`` budget stopped is the same run with ``--steps`` set to the
    steps it ran, where nothing in the model follows from ``--steps`` (its schedule)."""
    if not preset.chain:
        command = train.get("command") or ""
        if "--minutes" in command and not preset.cls.schedule_for(preset.schedule.steps):
            args, kept = shlex.split(command), []
            for arg in args:
                if kept and kept[-1] in ("--minutes", "--steps"):
                    kept.pop()  # the flag's value follows it
                elif not arg.startswith(("--minutes=", "--steps=")):
                    kept.append(arg)
            kept = [a for a in kept if a not in ("--minutes", "--steps")]
            command = shlex.join(kept[:2] + [f"--steps={train['train_steps']}"] + kept[2:])
        return f"`{command}`"
    steps = " ".join(f"{i}. `{c}`" for i, c in enumerate(preset.chain, 1))
    return (f"a chain of {len(preset.chain)} runs, each after the first a fine-tune of the one before "
            f"(`python {preset.recipe} --replay` runs them in order): {steps}")


def section(name, folder):
    """Preset ``name``'s card (the checkpoint in ``folder``), from its ``metadata.json``
    alone: what it is, its scores, its training record, how to reproduce it, its target
    and what the curve says. MODEL_CARD.md's ``## name`` section and the body of the
    checkpoint's own README.md (its Hub card)."""
    folder = Path(folder)
    meta = checkpoint.read_metadata(folder)
    train = meta.get("training", {})
    preset = registry.PRESETS[name]
    size = preset.config["image_size"]
    parts = [f"\n{_yaml_card(name, meta, preset)}\n"]
    parts.append(f"{preset.description} Class `{preset.cls.__name__}`; the setting "
                 f"and its deviations from the paper are in `{preset.recipe}`.\n")
    ev = meta.get("evaluation", {}).get("metrics")
    if ev and "a2b" not in ev:
        keys = list(ev)
        parts.append("| | " + " | ".join(keys) + " |\n" + "|---" * (len(keys) + 1) + "|")
        parts.append(f"| {name} | " + " | ".join(str(ev[k]) for k in keys) + " |")
        protocol, spread = meta["evaluation"].get("protocol", {}), meta["evaluation"].get("spread")
        if spread:
            ranges = ", ".join(f"{k} {lo:g}-{hi:g}" for k, (lo, hi) in spread.items()
                               if isinstance(lo, (int, float)) and lo != hi)
            parts.append(
                f"\nProtocol: {protocol.get('n_fake', 0):,} samples of seed 0 against "
                f"{protocol.get('n_real', 0):,} real images of the {protocol.get('real_split')} "
                f"split, in the features of {protocol.get('extractor')}. Over sampling seeds "
                f"{', '.join(map(str, protocol.get('seeds', SEEDS)))}, lowest-highest: {ranges}.")
        parts.append(f"\nReference rows for {train.get('dataset')}: see above (real test "
                     "images are the floor, uniform noise the ceiling).\n")
    elif ev:
        for direction, row in ev.items():
            parts.append(f"- {direction}: " + ", ".join(f"{k} = {v}" for k, v in row.items()))
        parts.append("")
    parts.append(
        f"- Training data: `{train.get('dataset')}` train split, batch {train.get('batch_size')}.\n"
        f"- Training: {train.get('train_steps')} discriminator/critic steps, "
        f"{train.get('generator_steps')} generator steps, "
        f"{train.get('wall_time_s', 0) / 60:.0f} min wall on {train.get('hardware')} "
        f"(2 cores shared with other runs), {train.get('precision', 'float32')}.\n"
        f"- Reproduce: {_reproduce(preset, train)}\n"
        "- Intended use: research and teaching, fine-tuning with `fit`, and baselines for "
        "the zoo's evaluation.\n"
        f"- Limitations: {schedule_note(train, preset)}; "
        f"{size}x{size} {'colour' if preset.config.get('channels') == 3 else 'grayscale'} only; "
        "not for any decision about people.\n"
        + (f"- Data licence: {licence(preset.dataset)}\n" if licence(preset.dataset) else "")
        + f"- Samples: `checkpoints/{name}/samples.png`.\n"
        f"- Folder size: {folder_megabytes(folder):.1f} MB (what a ship of it adds to "
        "every clone; CONTRIBUTING.md says when one is worth a commit).")
    cut = meta.get("truncation")
    if cut:
        each = ", ".join(f"{'none' if r['truncation'] is None else r['truncation']}: "
                         f"{r['precision']:.2f} / {r['recall']:.2f}" for r in cut["rows"])
        parts.append(
            f"- The truncation trick (`sample(n, truncation=psi)`), precision / recall at "
            f"each psi, n = {cut['n']:,} (`python tools/generator_studies.py --study "
            f"truncation --only {name}`): {each}; the curve: "
            f"`checkpoints/{name}/truncation.png`.")
    gap = meta.get("projection")
    if gap:
        parts.append(
            f"- Projection (`model.project`, GAN inversion; `python tools/generator_studies.py "
            f"--study projection --only {name}`): {gap['n']} train and {gap['n']} test "
            f"images, {gap['steps']} steps x {gap['restarts']} restarts, pixel MSE "
            f"{gap['train_mse']:.4f} train against {gap['test_mse']:.4f} test (test / train "
            f"{gap['test_over_train']:.2f}: far above 1 would say the model copies its "
            f"train set), {gap['seconds_per_image']:.2f} s an image as measured (on a CPU that "
                f"training runs may have shared).")
    if train.get("continued_from"):
        before = train["continued_from"]
        parts.append(
            f"- Continued: from the shipped checkpoint at {before['train_steps']:,} steps "
            f"(trained by `{before['command']}`), with {before['optimizers']}: a deviation "
            "from one uninterrupted run. The curve shows both parts.")
    chosen = train.get("shipped_snapshot")
    if chosen and "generator_steps" in chosen:
        parts.append(
            f"- Shipped snapshot: the state after {chosen['train_steps']} "
            f"discriminator/critic steps ({chosen['generator_steps']} generator updates), "
            f"{chosen['weights']} weights; chosen as {chosen['how_chosen']}.")
    parts.extend(target_lines(name, preset, meta))
    if (folder / "curve.png").exists():
        parts.append(f"\n![quality while training, {name}](checkpoints/{name}/curve.png)\n\n"
                     "Quality measured while training (the shipped snapshot circled).")
    return "\n".join(parts) + "\n"


def write_model_card(root=None):
    """MODEL_CARD.md (beside ``root``, the checkpoints folder): the protocol, the reference
    rows, the classifiers, and the card of every checkpoint in ``root``."""
    root = Path(root or registry.checkpoints_dir())
    parts = [CARD_HEAD]
    for dataset in ("mnist", "fashion_mnist", "emoji/both"):
        path = root / references_file(dataset)
        if path.exists():
            rows = json.loads(path.read_text())
            keys = list(next(iter(rows.values())))
            parts.append(f"\n## Reference rows, {dataset}\n")
            parts.append("| | " + " | ".join(keys) + " |\n" + "|---" * (len(keys) + 1) + "|")
            for label, row in rows.items():
                parts.append(f"| {label} | " + " | ".join(str(row[k]) for k in keys) + " |")
    for cls_name in ("classifier-mnist", "classifier-fashion-mnist", "classifier-emoji",
                     "classifier-hanzi"):
        path = root / cls_name / "metadata.json"
        if path.exists():
            m = json.loads(path.read_text())
            each = ""
            if "test_style_accuracy" in m:  # the emoji classifier: style x category
                each = (f" (style {m['test_style_accuracy']:.2%}, category "
                        f"{m['test_category_accuracy']:.2%}, on {m['test_images']} test emoji)")
            parts.append(f"\n## {cls_name} (feature extractor)\n\nTest accuracy "
                         f"**{m['test_accuracy']:.2%}**{each} after {m['epochs']} epochs, "
                         f"{m['wall_time_s'] / 60:.1f} min on {m['hardware']}. "
                         f"Reproduce: `{m['command']}`."
                         + (f" {licence(m['dataset'])}" if licence(m["dataset"]) else ""))
    for name in registry.list_models():
        if (root / name / checkpoint.METADATA).exists():
            parts.append(f"\n## {name}\n{section(name, root / name)}".rstrip("\n"))
    files.write_text(root.parent / "MODEL_CARD.md", "\n".join(parts) + "\n")


# The pictures a card shows, which sit beside README.md in the folder (and on the Hub).
PICTURES = ("samples.png", "curve.png", "truncation.png")


def readme(name, folder):
    """The checkpoint's own README.md: Hub front matter (the model-index of its evaluation),
    how to load it, and :func:`section`, its pictures named as the files beside it and its
    links into the checkout relative to the folder (``checkpoints/<preset>/``)."""
    folder = Path(folder)
    preset = registry.PRESETS[name]
    card = hub.model_card(preset.cls.__name__, preset.task, preset.hub or name,
                          checkpoint.read_metadata(folder), section(name, folder))
    for picture in PICTURES:
        card = card.replace(f"checkpoints/{name}/{picture}", picture)
    # Links into the checkout (docs/history/...) from the folder two levels below it.
    return card.replace("](docs/", "](../../docs/")


SEEDS = (0, 1, 2)  # a noise-to-image checkpoint is scored on three sets of samples


def measure(name, folder, n=10000):
    """Score the checkpoint in ``folder`` as its card reports it (``zoo.evaluate``; a
    translator on its test images each way) into its ``metadata.json``, draw its
    ``samples.png``, and return the evaluation (with the reference rows of a noise-to-image
    preset's data set under ``"references"``). A noise-to-image checkpoint's scores are
    those of sampling seed 0, and ``"spread"`` holds each one's lowest and highest over
    :data:`SEEDS`."""
    folder = Path(folder)
    preset = registry.PRESETS[name]
    model = checkpoint.load_preset(folder)
    if preset.task == "image-to-image":
        result = evaluation.evaluate(model, preset.dataset, n=n)
        _draw_translations(model, preset.dataset, folder)
    else:
        result = evaluation.evaluate(model, preset.dataset, n=n, seed=SEEDS[0], references=True)
        runs = [result["metrics"]] + [evaluation.evaluate(model, preset.dataset, n=n, seed=s)[
            "metrics"] for s in SEEDS[1:]]
        result["spread"] = {k: [min(r[k] for r in runs), max(r[k] for r in runs)]
                            for k in runs[0]}
        result["protocol"]["seeds"] = list(SEEDS)
        _draw_samples(model, folder)
    meta = checkpoint.read_metadata(folder)
    meta["evaluation"] = {k: v for k, v in result.items() if k != "references"}
    files.write_json(folder / checkpoint.METADATA, meta)
    return result


def _draw_samples(model, folder):
    """``samples.png`` of a noise-to-image model: 64 samples of seed 0 (a conditional
    model: a row of 8 per class)."""
    labels = np.repeat(np.arange(10), 8) if model.num_classes else None
    images.save_grid(model.sample(80 if labels is not None else 64, seed=0, labels=labels),
                     folder / "samples.png", cols=8, scale=3)


def _draw_translations(model, pair, folder):
    """``samples.png`` of a translator: for each direction it has, rows of test sources,
    their translations and (a pair drawn both ways) the true counterparts; a2b from A, b2a
    from B."""
    (xa, _), (xb, _) = data.pair_domains(pair)
    emoji, paired = pair.startswith("emoji_"), pair.startswith(("emoji_", "hanzi_"))
    pick = slice(None, None, max(1, len(xa) // 8) if emoji else 1)
    a, b = xa[pick][:8], xb[pick][:8]
    rows = []
    for direction, src, dst in (("a2b", a, b), ("b2a", b, a)):
        if direction in model.directions:
            rows += [src, model.translate(src, direction)] + ([dst] if paired else [])
    images.save_grid(np.concatenate(rows), folder / "samples.png", cols=8, scale=2 if emoji else 3)


def finish(name, folder, n=10000, scores=True):
    """What a ship does once the weights are in ``folder``: with ``scores``, and where the
    zoo has a classifier to score its data set with (dcgan-celeba and cyclegan-horse2zebra
    have none), measure the checkpoint and draw its samples (:func:`measure`; the reference
    rows of its data set written beside the checkpoints); then its README.md and
    MODEL_CARD.md beside the checkpoints folder. A noise-to-image checkpoint always gets
    its samples (they need no data)."""
    folder = Path(folder)
    preset = registry.PRESETS[name]
    if scores and QualityProbe.available(preset.dataset):
        result = measure(name, folder, n)
        if result.get("references"):
            files.write_json(folder.parent / references_file(preset.dataset),
                             result["references"])
    elif preset.task != "image-to-image":
        _draw_samples(checkpoint.load_preset(folder), folder)
    write_cards(name, folder)


def write_cards(name, folder):
    """The checkpoint's README.md (:func:`readme`) and MODEL_CARD.md beside the checkpoints
    folder, from the records alone."""
    folder = Path(folder)
    files.write_text(folder / "README.md", readme(name, folder))
    write_model_card(folder.parent)


def publish(name, *, token=None):
    """Push the shipped checkpoint of preset ``name`` to its declared Hub repository: the
    preset folder, the pictures it has, and :func:`readme` made from its record. Returns
    the commit id."""
    key = registry.canonical(name)
    preset = registry.PRESETS[key]
    if not preset.hub:
        raise errors.ZooValueError(f"{key} declares no Hub repository; only shipped presets do.")
    folder = registry.local_folder(key)
    if folder is None:
        raise errors.ZooValueError(
            f"{key} has no checkpoint on this machine to publish (looked in "
            f"{', '.join(map(str, registry.local_folders(key)))}); train it with "
            f"`python {preset.recipe} --ship` first.")
    extras = [p for p in PICTURES if (folder / p).is_file()]
    return hub.push_folder(folder, preset.hub, readme(key, folder), token=token,
                           extra_files=extras, commit_message=f"Publish {key}")
