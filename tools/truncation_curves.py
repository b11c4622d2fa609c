"""The truncation trick's trade for every shipped noise-to-image checkpoint: precision
and recall against psi (``zoo.evaluation.truncation_curve``), stored in the checkpoint's
``metadata.json`` (``truncation``), drawn in ``checkpoints/<preset>/truncation.png``,
and put on its MODEL_CARD.md section.

    python tools/truncation_curves.py                       # every shipped generator
    python tools/truncation_curves.py --only wgan-mnist --n 2000
"""

import json

from absl import app, flags

flags.DEFINE_list("only", None, "Presets (default: every shipped noise-to-image preset).")
flags.DEFINE_integer("n", 5000, "Samples per psi, and real train images.")
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
                           if registry.PRESETS[n].task == "unconditional-image-generation"]
    for name in names:
        preset = registry.PRESETS[name]
        rows = evaluation.truncation_curve(registry.load(name), preset.dataset, n=FLAGS.n)
        plot(rows, root / name / "truncation.png", f"{name}: the truncation trick (n = {FLAGS.n:,})")
        meta_path = root / name / checkpoint.METADATA
        meta = json.loads(meta_path.read_text())
        meta["truncation"] = {"n": FLAGS.n, "seed": 0, "rows": rows}
        files.write_json(meta_path, meta)
        print(name, json.dumps(rows))


if __name__ == "__main__":
    app.run(main)
