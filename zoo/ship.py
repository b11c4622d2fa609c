"""Shipping a run: its record (``<outdir>/record.json``: steps, clocks, hardware, the
command, the quality curve and which snapshot was chosen and why), its curve, and the
chosen snapshot written to ``checkpoints/<preset>`` whole: weights, samples, scores and
card (``zoo.cards.finish``), and pushed to the Hub when asked."""

import os
import platform
import shlex
import shutil
import sys

import keras

from zoo import cards, checkpoint, files, registry, runs
from zoo.probe import QualityProbe, plot_quality


def _weights_shipped(model, row):
    """Which weights a snapshot chosen by ``row`` samples with, in words for its card."""
    if model.task == "image-to-image":
        # A translator keeps no averaged set.
        return "both generators' own" if len(model.directions) == 2 else "the generator's own"
    return "averaged generator" if QualityProbe.use_average(row) else "generator's own"


def hardware():
    """What trained it, for the record: the accelerator if there is one."""
    cpu = platform.processor() or platform.machine()
    devices = []
    if keras.backend.backend() == "jax":
        import jax

        devices = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
    elif keras.backend.backend() == "torch":
        import torch

        devices = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    elif runs.has_tensorflow():
        import tensorflow as tf

        devices = [d.name for d in tf.config.list_physical_devices("GPU")]
    if devices:
        return f"{len(devices)} x {devices[0]} ({keras.backend.backend()}), {cpu} host"
    return f"{cpu}, CPU only ({keras.backend.backend()})"


def record(preset, dataset, batch_size, outdir, opt, model):
    """The run's record, written to ``<outdir>/record.json`` with its curve."""
    last = outdir / "last"
    meta = checkpoint.read_metadata(last)
    rows = runs.read_quality(outdir, meta["train_steps"])
    best = outdir / "best"
    chosen = checkpoint.read_metadata(best)["selected_by"] if rows and best.exists() else None
    record = {
        "preset": preset,
        "dataset": dataset,
        "batch_size": batch_size,
        "train_steps": meta["train_steps"],
        "generator_steps": meta["generator_steps"],
        "wall_time_s": meta["wall_time_s"],
        "measure_time_s": meta.get("measure_time_s", 0.0),
        "hardware": hardware(),
        "backend": keras.backend.backend(),
        "command": "python " + " ".join(shlex.quote(a) for a in sys.argv),
        "smoke": opt.smoke,
        "precision": opt.precision,
        "curve": rows,
        **({"continued_from": checkpoint.read_json(outdir / "continued_from.json")}
           if (outdir / "continued_from.json").exists() else {}),
        "shipped_snapshot": (
            {"train_steps": chosen["train_steps"], "generator_steps": chosen["generator_steps"],
             "weights": _weights_shipped(model, chosen),
             "how_chosen": QualityProbe.how_chosen(rows)}
            if chosen else {"train_steps": meta["train_steps"], "how_chosen": "the last state"}),
    }
    files.write_json(outdir / "record.json", record)
    if rows:
        plot_quality(rows, outdir / "curve.png", title=preset, marked=chosen)
    return record


def ship(preset, outdir, record, model, opt):
    """With ``--ship``, the chosen snapshot (or the last state where nothing measured
    quality) to ``checkpoints/<preset>`` with its record and curve; with
    ``--push_to_hub``, to the Hub. Returns the model shipped (or ``model``)."""
    chosen = record["curve"] and (outdir / "best").exists()
    if opt.ship and opt.smoke and "ZOO_CHECKPOINTS" not in os.environ:
        print("Not shipping a smoke run into the repository's checkpoints/ (set "
              "ZOO_CHECKPOINTS to ship it elsewhere).")
    elif opt.ship and "continued_from" in record and not chosen:
        print(f"Not shipping {preset}: no measurement of this continuation beat the shipped "
              "run's best, so the shipped checkpoint stays.", flush=True)
    elif opt.ship:
        source = checkpoint.load_preset(outdir / ("best" if chosen else "last"))
        if opt.lr_d or opt.lr_g or opt.lr_decay:
            # The run's learning rates were its own: the checkpoint ships compiled with the
            # preset's optimizers, so a fine-tune of it starts from those (no replayed decay).
            source.compile(**registry.PRESETS[preset].optimizers)
        folder = checkpoint.save_preset(source, registry.checkpoints_dir() / preset,
                                        metadata={"training": record}, training_state=False)
        shipped = checkpoint.read_metadata(folder)
        if shipped.pop("evaluation", None) is not None:  # it described the weights replaced
            files.write_json(folder / checkpoint.METADATA, shipped)
        if record["curve"]:
            shutil.copyfile(outdir / "curve.png", folder / "curve.png")
        # The samples, the scores (not of a smoke run: mock data) and the card.
        cards.finish(preset, folder, scores=not opt.smoke)
        print(f"Shipped {preset} ({record['shipped_snapshot']['how_chosen']}) to {folder}.")
        model = source
    if opt.push_to_hub:
        from zoo import hub

        commit = hub.push_to_hub(model, opt.push_to_hub,
                                 metadata={"training": record, "dataset": record["dataset"]})
        print(f"Pushed {preset} to {opt.push_to_hub} at commit {commit}.")
    return model
