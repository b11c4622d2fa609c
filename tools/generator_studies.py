"""Two studies of every shipped noise-to-image checkpoint, stored in its
``metadata.json`` and put on its card:

* ``truncation``: the truncation trick's trade, precision and recall against psi
  (``zoo.evaluation.truncation_curve``), drawn in ``checkpoints/<preset>/truncation.png``;
* ``projection``: how well it reconstructs train images against test ones by GAN
  inversion (``zoo.evaluation.projection_gap``), and the time per image.

    python tools/generator_studies.py                       # both, every shipped generator
    python tools/generator_studies.py --study projection --only wgan-mnist
"""

import json

from absl import app, flags

flags.DEFINE_list("only", None, "Presets (default: every shipped noise-to-image preset).")
flags.DEFINE_list("study", ["truncation", "projection"], "Which studies to run.")
flags.DEFINE_integer("n", 5000, "Truncation: samples per psi, and real train images.")
flags.DEFINE_integer("n_project", 32, "Projection: train images, and as many test images.")
FLAGS = flags.FLAGS


def plot(rows, path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cut = [r for r in rows if r["truncation"] is not None]
    full = next((r for r in rows if r["truncation"] is None), None)
    fig, ax = plt.subplots(figsize=(4.5, 3), dpi=100)
    for key, colour in (("precision", "tab:blue"), ("recall", "tab:orange")):
        ax.plot([r["truncation"] for r in cut], [r[key] for r in cut], "o-", color=colour,
                label=key)
        if full:
            ax.axhline(full[key], color=colour, ls=":", lw=1)
    ax.set_xlabel("truncation psi (dotted: none)")
    ax.set_ylim(0, 1)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv):
    del argv
    from zoo import checkpoint, evaluation, files, registry

    root = registry.checkpoints_dir()
    names = FLAGS.only or [n for n in registry.list_models(shipped_only=True)
                           if registry.PRESETS[n].task != "image-to-image"]
    for name in names:
        preset, model = registry.PRESETS[name], registry.load(name)
        found = {}
        if "truncation" in FLAGS.study and preset.task == "unconditional-image-generation":
            rows = evaluation.truncation_curve(model, preset.dataset, n=FLAGS.n)
            plot(rows, root / name / "truncation.png",
                 f"{name}: the truncation trick (n = {FLAGS.n:,})")
            found["truncation"] = {"n": FLAGS.n, "seed": 0, "rows": rows}
        if "projection" in FLAGS.study:
            found["projection"] = evaluation.projection_gap(model, preset.dataset, FLAGS.n_project)
        meta_path = root / name / checkpoint.METADATA
        files.write_json(meta_path, {**json.loads(meta_path.read_text()), **found})
        print(name, json.dumps(found))


if __name__ == "__main__":
    app.run(main)
