"""Re-measure the shipped checkpoints and rewrite their cards (what a ship does,
``zoo.cards.finish``), for checkpoints shipped before a change to the evaluation or the
card: ``zoo.evaluate`` into each ``metadata.json``, ``samples.png``, the reference rows
once per data set, each folder's README.md, and MODEL_CARD.md.

    python tools/evaluate_checkpoints.py            # all shipped checkpoints
    python tools/evaluate_checkpoints.py --only wgan-mnist --n 2000
    python tools/evaluate_checkpoints.py --cards_only   # the cards alone, from the records
"""

from absl import app, flags

flags.DEFINE_list("only", None, "Presets to evaluate (default: all shipped).")
flags.DEFINE_integer("n", 10000, "Samples per model and real images.")
flags.DEFINE_bool("cards_only", False, "Only rewrite the cards (README.md, MODEL_CARD.md) "
                  "from the metadata.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    from zoo import cards, registry

    root = registry.checkpoints_dir()
    names = FLAGS.only or [n for n in registry.list_models() if (root / n / "metadata.json").exists()]
    for name in names:
        if FLAGS.cards_only:
            cards.write_cards(name, root / name)
        else:
            cards.finish(name, root / name, FLAGS.n)
        print(name, "carded" if FLAGS.cards_only else "measured and carded")


if __name__ == "__main__":
    app.run(main)
