"""Command line: ``python -m zoo [--verbose] list | sample | interpolate | project | translate | train | export | serve | publish | prepare-data | evaluate``.

    python -m zoo list
    python -m zoo sample wgan-mnist -n 16 -o grid.png [--seed 0] [--labels 3] [--truncation 0.7]
    python -m zoo interpolate dcgan-mnist --seeds 1 2 --steps 8 -o walk.png   # or walk.gif
    python -m zoo project wgan-mnist my_digit.png -o nearest.png [--latents z.npy] [--steps 300]
    python -m zoo translate pix2pix-noto2twemoji a.png b.png -o out.png [--seed 0]
    python -m zoo translate pix2pix-ming2kai --text "永和九年" -o out.png
    python -m zoo train dcgan-mnist [--steps 2000] [--data my_images/] [--finetune] [--smoke] [--ship]
                                    # every option a recipe takes, the same names
    python -m zoo export dcgan-mnist --format onnx -o dcgan.onnx   # or saved_model (a folder)
    python -m zoo serve [--port 7860]    # the web demo, on 127.0.0.1
    python -m zoo publish [NAME ...]      # HF_ENDPOINT and HF_TOKEN as huggingface_hub reads them
    python -m zoo prepare-data mnist fashion_mnist emoji   # emoji: --source <two npm packages>, or npm
    python -m zoo evaluate dcgan-mnist [-n 10000]
    python -m zoo evaluate runs/dcgan-mnist/best --dataset mnist
"""

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np


def _list(args):
    from zoo import registry

    for name in registry.list_models():
        place, _ = registry.where(name)
        mark = {"local": "local", "cache": "cached", "hub": "hub"}.get(place, "-")
        print(f"{name:24s} {mark:8s} {registry.PRESETS[name].description}")


def _publish(args):
    from zoo import cards, registry

    names = args.names or [n for n in registry.list_models(shipped_only=True)
                           if registry.PRESETS[n].hub]
    for name in names:
        commit = cards.publish(name)
        print(f"{registry.canonical(name):24s} {registry.get(name).hub}"
              f"@{commit}")


def _sample(args):
    import zoo

    zoo.images.grid_format(args.output)  # a name it cannot write fails before the model loads
    model = zoo.load(args.name)
    if model.task == "image-to-image":
        raise zoo.errors.ZooValueError(
            f"{args.name} translates images: python -m zoo translate {args.name} image.png "
            f"-o out.png, or model.translate(images) from Python."
        )
    images = model.sample(args.n, seed=args.seed, labels=args.labels, truncation=args.truncation)
    zoo.save_grid(images, args.output, scale=args.scale)
    print(f"wrote {args.n} samples of {args.name} to {args.output}")


def _interpolate(args):
    import zoo

    if not args.output.lower().endswith(".gif"):
        zoo.images.grid_format(args.output)
    model = zoo.load(args.name)
    if model.task == "image-to-image":
        raise zoo.errors.ZooValueError(
            f"{args.name} translates images and has no latent space to walk; use "
            "python -m zoo translate or model.translate(images).")
    images = model.interpolate(args.seeds[0], args.seeds[1], args.steps, labels=args.labels,
                               method=args.method)
    if args.output.lower().endswith(".gif"):
        zoo.images.save_animation(images, args.output, scale=args.scale)
    else:
        zoo.save_grid(images, args.output, cols=len(images), scale=args.scale)
    print(f"wrote {len(images)} steps from seed {args.seeds[0]} to seed {args.seeds[1]} "
          f"of {args.name} to {args.output}")


def _project(args):
    import time

    import zoo
    from zoo import demo, files

    zoo.images.grid_format(args.output)  # a name it cannot write fails before the model loads
    if args.latents and not args.latents.endswith(".npy"):
        raise zoo.errors.ZooValueError(f"--latents is a .npy file; got {args.latents}.")
    model = zoo.load(args.name)
    if model.task == "image-to-image":
        raise zoo.errors.ZooValueError(
            f"{args.name} translates images and has no latent space to project into: "
            f"python -m zoo translate {args.name} image.png -o out.png.")
    pixels = np.stack([demo.read_resized(path, model.image_size, model.channels)
                       for path in args.images])
    labels = None if args.labels is None else [args.labels] * len(pixels)
    start = time.perf_counter()
    z, made = model.project(pixels, labels=labels, steps=args.steps, restarts=args.restarts,
                            seed=args.seed)
    seconds = time.perf_counter() - start
    targets = pixels.astype("float32") / 127.5 - 1.0
    zoo.save_grid(np.concatenate([targets, made]), args.output, cols=min(len(pixels), 16),
                  scale=args.scale)
    if args.latents:
        files.write_atomically(args.latents, lambda f: np.save(f, z))
    mse = ((made - targets) ** 2).reshape(len(pixels), -1).mean(axis=1)
    for path, error in zip(args.images, mse):
        print(f"{path}: pixel MSE {error:.4f}")
    print(f"wrote {len(pixels)} image(s) and {args.name}'s nearest samples below them to "
          f"{args.output}" + (f", their latents to {args.latents}" if args.latents else "")
          + f" ({seconds:.1f} s)")


def _train(args):
    from zoo import registry, runs, train

    preset = registry.canonical(args.name)
    # Your own images train in a folder of their own (the preset's run stays as it is).
    outdir = args.outdir or (f"runs/{preset}-{Path(args.data).stem}" if args.data else None)
    options = dataclasses.replace(train.options_from(args), outdir=outdir)
    try:
        model, record = train.run(preset, options)
    except runs.Interrupted as stopped:
        print(stopped, flush=True)  # a clean stop: the state is saved, exit status 0
        return
    where = train.run_folder(preset, train.Options(smoke=args.smoke, outdir=outdir)) / "last"
    print(f"trained {preset} on {args.data or record['dataset']} for {record['train_steps']} "
          f"steps; the model is in {where} (zoo.load({str(where)!r}))")


def _translate(args):
    import zoo
    from zoo import data, demo

    zoo.images.grid_format(args.output)  # a name it cannot write fails before the model loads
    if (args.text is None) == (not args.images):
        raise zoo.errors.ZooValueError(
            "translate takes image files (python -m zoo translate NAME a.png b.png -o out.png) "
            "or, for a hanzi preset, --text \"永和九年\"; give one of the two.")
    model = zoo.load(args.name)
    if model.task != "image-to-image":
        raise zoo.errors.ZooValueError(
            f"{args.name} samples noise rather than translating images: python -m zoo sample "
            f"{args.name}.")
    if args.text is not None:
        source = registry_source(args.name)
        if not source.startswith("hanzi/"):
            raise zoo.errors.ZooValueError(
                f"--text draws Chinese characters for the hanzi presets; {args.name} "
                "translates images: pass image files.")
        pixels = data.render_hanzi(args.text, style=source.split("/")[1])
    else:
        pixels = np.stack([demo.read_resized(path, model.image_size, model.channels)
                           for path in args.images])
    direction = args.direction or model.directions[0]
    kwargs = {"seed": args.seed} if args.seed is not None else {}
    if kwargs and not hasattr(model, "dropouts"):
        raise zoo.errors.ZooValueError(
            f"{args.name} translates deterministically; --seed is for pix2pix (its dropout).")
    moved = model.translate(pixels, direction, **kwargs)
    sources = pixels.astype("float32") / 127.5 - 1.0
    zoo.save_grid(np.concatenate([sources, moved]), args.output, cols=min(len(pixels), 16),
                  scale=args.scale)
    print(f"wrote {len(pixels)} source image(s) of {args.name} and their translation "
          f"({direction}) below them to {args.output}")


def registry_source(name):
    """The first domain of a translator preset's dataset (``"hanzi/ming"``, ...)."""
    from zoo import data, registry

    dataset = registry.PRESETS[registry.canonical(name)].dataset
    if dataset in data.PAIRED:
        return data.PAIRED[dataset][0]
    return data.PAIRS[dataset][0][0] if dataset in data.PAIRS else ""


def _export(args):
    import zoo

    output = args.output or (f"{args.name}.onnx" if args.format == "onnx" else args.name)
    if args.format == "onnx" and not output.endswith(".onnx"):
        raise zoo.errors.ZooValueError(f"an ONNX export is one .onnx file; got -o {output}.")
    model = zoo.load(args.name)
    model.export(output, format={"saved_model": "tf_saved_model"}.get(args.format, args.format),
                 verbose=False)
    inputs = ", ".join(spec.name for spec in _flat(model.serving_signature()))
    load = ("onnxruntime.InferenceSession(path)" if args.format == "onnx"
            else "tf.saved_model.load(path).serve(...)")
    print(f"wrote {args.name} as {args.format} to {output} (inputs: {inputs}; outputs: images "
          f"in [-1, 1], NHWC); load it with {load}")


def _flat(specs):
    return [s for item in specs for s in (item if isinstance(item, list) else [item])]


def _serve(args):
    from zoo import demo

    print(f"serving the zoo demo on http://127.0.0.1:{args.port} (Ctrl-C stops it)", flush=True)
    demo.serve(port=args.port)


def _prepare(args):
    from zoo import data

    for name in args.datasets:
        written = data.prepare(name, source=args.source, data_dir=args.data_dir)
        print(f"{name}: {', '.join(map(str, written)) if isinstance(written, list) else written}")


def _evaluate(args):
    from zoo.evaluation import evaluate

    result = evaluate(args.name, args.dataset, n=args.n, references=True)
    if "a2b" in result["metrics"]:  # a translator: one row per direction
        rows = {f"{args.name} {d}": row for d, row in result["metrics"].items()}
    else:
        rows = {args.name: result["metrics"], **result.get("references", {})}
    keys = list(next(iter(rows.values())))
    print("| | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for label, row in rows.items():
        print(f"| {label} | " + " | ".join(str(row[k]) for k in keys) + " |")
    print("protocol: " + ", ".join(f"{k}={v}" for k, v in result["protocol"].items()))


def main(argv=None):
    args = build_parser().parse_args(argv)
    from zoo import _quiet
    from zoo.errors import ZooError

    if args.verbose:
        sys.stderr.writelines(_quiet.HELD_BACK)

    try:
        args.fn(args)
    except ZooError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def build_parser():
    """The command line's parser (``main`` runs it)."""
    parser = argparse.ArgumentParser(prog="python -m zoo", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true",
                        help="also print TensorFlow's start-up log lines (held back by default)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the presets").set_defaults(fn=_list)
    p = sub.add_parser("sample", help="write a grid of samples to a PNG")
    p.add_argument("name")
    p.add_argument("-n", type=int, default=16)
    p.add_argument("-o", "--output", default="grid.png",
                   help="the grid's file; its ending picks the format (.png, .jpg, .webp, ...)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--labels", type=int, default=None, help="class to draw (conditional models)")
    p.add_argument("--truncation", type=float, default=None, metavar="PSI",
                   help="the truncation trick: latents resampled into [-PSI, PSI] (less "
                        "variety, more fidelity)")
    p.add_argument("--scale", type=int, default=2, help="pixel magnification of the picture")
    p.set_defaults(fn=_sample)
    p = sub.add_parser("interpolate", help="a walk in latent space between two seeds (a picture strip "
                                          "or animated GIF)")
    p.add_argument("name")
    p.add_argument("--seeds", type=int, nargs=2, required=True, metavar=("A", "B"))
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--method", choices=["slerp", "linear"], default="slerp")
    p.add_argument("--labels", type=int, default=None, help="class to keep (conditional models)")
    p.add_argument("-o", "--output", default="walk.png",
                   help="a .gif animation, or a strip in the format its ending names (.png, .jpg, ...)")
    p.add_argument("--scale", type=int, default=2, help="pixel magnification")
    p.set_defaults(fn=_interpolate)
    p = sub.add_parser("project", help="the latents whose samples are nearest your images "
                                      "(GAN inversion), and those samples")
    p.add_argument("name")
    p.add_argument("images", nargs="+", help="image files (png, jpg, ...), resized to the model's size")
    p.add_argument("--labels", type=int, default=None,
                   help="the images' class (conditional models)")
    p.add_argument("--steps", type=int, default=300, help="Adam steps of the search")
    p.add_argument("--restarts", type=int, default=4, help="starting points per image")
    p.add_argument("--seed", type=int, default=0, help="of the starting points")
    p.add_argument("--latents", default=None, help="also save the latents to this .npy file")
    p.add_argument("-o", "--output", default="projected.png",
                   help="your images on top, the nearest samples below; its ending picks the format")
    p.add_argument("--scale", type=int, default=2, help="pixel magnification")
    p.set_defaults(fn=_project)
    p = sub.add_parser("translate", help="translate images (CycleGAN, pix2pix), or draw "
                                        "characters in another style (hanzi presets)")
    p.add_argument("name")
    p.add_argument("images", nargs="*", help="image files (png, jpg, ...), resized to the model's size")
    p.add_argument("--text", default=None, help="characters to draw and translate (hanzi presets)")
    p.add_argument("--direction", default=None, help="a2b or b2a (default: the model's first)")
    p.add_argument("--seed", type=int, default=None, help="pix2pix's dropout masks (default 0)")
    p.add_argument("-o", "--output", default="translated.png",
                   help="sources on top, translations below; its ending picks the format")
    p.add_argument("--scale", type=int, default=2, help="pixel magnification")
    p.set_defaults(fn=_translate)
    p = sub.add_parser("publish", help="push shipped checkpoints to their Hub repositories")
    p.add_argument("names", nargs="*", help="presets (default: every shipped one)")
    p.set_defaults(fn=_publish)
    p = sub.add_parser("train", help="train a preset as its recipe does (the same options), or "
                                    "on your own images (--data)")
    p.add_argument("name")
    from zoo import train

    train.add_arguments(p)
    p.set_defaults(fn=_train)
    p = sub.add_parser("export", help="write a preset's generator for serving (SavedModel or ONNX)")
    p.add_argument("name")
    p.add_argument("--format", choices=["saved_model", "onnx"], default="saved_model",
                   help="onnx needs pip install 'zoo[export]'")
    p.add_argument("-o", "--output", default=None,
                   help="default: ./NAME (a SavedModel folder) or ./NAME.onnx")
    p.set_defaults(fn=_export)
    p = sub.add_parser("serve", help="a local web demo (needs pip install -e '.[demo]')")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(fn=_serve)
    p = sub.add_parser("prepare-data", help="build MNIST, Fashion-MNIST, the emoji and hanzi pairs offline")
    p.add_argument("datasets", nargs="+", choices=["mnist", "fashion_mnist", "emoji", "hanzi"])
    p.add_argument("--source", nargs="+", default=None,
                   help="mnist.pkl.gz, the Fashion-MNIST IDX folder, or for emoji the two npm "
                        "packages (emoji-datasource-google and -twitter, tarballs or folders)")
    p.add_argument("--data_dir", default=None, help="default: $TFDS_DATA_DIR or ~/tensorflow_datasets")
    p.set_defaults(fn=_prepare)
    p = sub.add_parser("evaluate", help="domain FID, KID, precision/recall, coverage")
    p.add_argument("name")
    p.add_argument("-n", type=int, default=10000)
    p.add_argument("--dataset", default=None,
                   help="what to score against (a preset's own by default; needed for a "
                        "saved folder such as runs/<preset>/best)")
    p.set_defaults(fn=_evaluate)
    return parser


if __name__ == "__main__":
    sys.exit(main())
