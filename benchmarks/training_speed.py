"""Training throughput of every variant: the zoo's ``fit``, a hand-written
``tf.function`` loop over the very same Keras networks, and PyTorch.

For each variant (MNIST-size presets, CycleGAN at sneaker2boot size):

* ``zoo fit``: ``model.fit`` on an in-memory batch repeated (no input pipeline
  cost; ``benchmarks/data_pipeline.py`` measures that), timed per epoch by a
  callback after a warm-up epoch;
* ``tf loop``: the same networks (``model.generator`` ...) and optimizers of the
  same settings, trained by a hand-written ``tf.function`` step with
  ``GradientTape``, same math as the zoo (a fresh generator forward for the
  generator update, WGAN's 5 critic updates per generator update, the gradient
  penalty, CycleGAN's pool of 50);
* ``torch``: the same architecture and optimizer written in plain PyTorch;
* with ``--xla``, ``zoo fit`` again with ``jit_compile=True``;
* for each of ``--precisions`` (default ``mixed_bfloat16,mixed_float16``), ``zoo
  fit`` again with the model built under that Keras dtype policy, as a recipe's
  ``--precision`` builds it, and its speed-up over float32 ``zoo fit``.

Throughput is real images consumed per second (discriminator/critic updates x
batch), the median of ``--repeats`` timed epochs of ``--steps`` steps. Runs are
interleaved repeat by repeat so that a busy machine slows every column alike.
FLOPs per discriminator/critic update are counted on the hand-written step's
graph (convolutions and matrix products; generator updates included in
proportion); the machine's peak is the best large float32 matmul of
TensorFlow, NumPy and PyTorch, measured at the start and end of the same run.

    python benchmarks/training_speed.py --threads 1 --markdown benchmarks/training_speed.md
"""

import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from absl import app, flags  # noqa: E402

from common import SETTINGS, dtype_policy, epoch_clock, tf_batch, tf_loop, zoo_model  # noqa: E402

flags.DEFINE_list("variants", ["gan", "dcgan", "wgan", "wgan-gp", "cgan", "cyclegan",
                              "cyclegan-256", "cyclegan-emoji", "pix2pix"], "Which.")
flags.DEFINE_integer("steps", 20, "Discriminator/critic updates per timed epoch.")
flags.DEFINE_integer("repeats", 5, "Timed epochs per implementation (the median is reported).")
flags.DEFINE_integer("threads", 0, "Threads for TensorFlow and PyTorch (0: library default).")
flags.DEFINE_bool("xla", True, "Also time zoo fit with jit_compile=True.")
# CycleGAN's generators take images of any size (None, None): under XLA the
# first timing run recompiled at every step (0.05 images/s), so it is left out.
flags.DEFINE_list("no_xla", ["cyclegan", "cyclegan-256", "cyclegan-emoji"],
                  "Variants not timed with XLA.")
flags.DEFINE_bool("torch", True, "Also time the PyTorch implementations.")
flags.DEFINE_bool("deterministic", False,
                  "Turn on TensorFlow's deterministic ops first (the recipes' default), to "
                  "measure what exact reproducibility costs.")
flags.DEFINE_string("policy", None, "A Keras dtype policy for every network, e.g. "
                    "mixed_bfloat16 (the zoo runs float32).")
flags.DEFINE_list("precisions", ["mixed_bfloat16", "mixed_float16"],
                  "Also time zoo fit with the networks built under these dtype policies (a "
                  "column each, and its speed-up over the first column); empty: none.")
flags.DEFINE_string("markdown", None, "Write the table to this markdown file too.")
FLAGS = flags.FLAGS

STEPS = {"cyclegan-256": 2}
NO_TORCH = {"pix2pix"}  # no PyTorch U-Net written here yet: its column says n/a
SHORT = {"float32": "f32", "mixed_bfloat16": "bf16", "mixed_float16": "f16"}


def steps_for(variant):
    return STEPS.get(variant, FLAGS.steps)


# --------------------------------------------------------------- TensorFlow
def time_zoo_fit(variant, jit, policy=None):
    """A generator of per-epoch seconds (the first epoch is the warm-up)."""
    import tensorflow as tf

    model = zoo_model(variant, jit, policy)
    data = tf_batch(model, SETTINGS[variant][1])
    ds = tf.data.Dataset.from_tensors(data).repeat()
    times = []

    clock = epoch_clock(times)
    with dtype_policy(policy):  # the step is traced here
        model.fit(ds, steps_per_epoch=steps_for(variant), epochs=1, verbose=0,
                  callbacks=[clock])
    while True:
        times.clear()
        model.fit(ds, steps_per_epoch=steps_for(variant), epochs=1, verbose=0, callbacks=[clock])
        yield times[0], model


def time_tf_loop(variant):
    model, run, _ = tf_loop(variant)
    run(steps_for(variant))  # trace and warm up
    while True:
        t = time.perf_counter()
        run(steps_for(variant))
        yield time.perf_counter() - t, model


def graph_flops(graph):
    """Multiply-add FLOPs (2 per MAC) of a graph's convolutions and matrix products.

    Counted from static shapes. TensorFlow's own profiler charges a transposed
    convolution (``Conv2DBackpropInput``) as if every output pixel saw the whole
    kernel, 4x too much at stride 2 and 49x for DCGAN's 1x1 -> 7x7 first layer,
    so the zoo counts them itself. Elementwise ops are left out (a few percent).
    """
    total = 0
    for op in graph.get_operations():
        shape = lambda t: [int(d) for d in t.shape]  # noqa: E731
        if op.type == "Conv2D":  # input, filter -> output
            n, h, w, k = shape(op.outputs[0])
            kh, kw, c, _ = shape(op.inputs[1])
            total += 2 * n * h * w * k * kh * kw * c
        elif op.type in ("Conv2DBackpropInput", "Conv2DBackpropFilter"):
            # Both cost what the forward convolution of that filter costs.
            n, h, w, k = shape(op.inputs[2])  # out_backprop
            kernel = op.inputs[1] if op.type == "Conv2DBackpropInput" else op.outputs[0]
            kh, kw, c, _ = shape(kernel)
            total += 2 * n * h * w * k * kh * kw * c
        elif op.type == "MatMul":
            a, b = shape(op.inputs[0]), shape(op.inputs[1])
            m = a[1] if op.get_attr("transpose_a") else a[0]
            inner = a[0] if op.get_attr("transpose_a") else a[1]
            cols = b[0] if op.get_attr("transpose_b") else b[1]
            total += 2 * m * inner * cols
    return total


def flops_per_update(variant):
    """FLOPs of one discriminator/critic update plus its share of generator updates."""
    _, _, parts = tf_loop(variant)
    return sum(weight * graph_flops(fn.get_concrete_function(*args).graph)
               for fn, args, weight in parts)


def peak_gflops(n=4096, repeats=3):
    """The machine's float32 peak: the best large matmul of TensorFlow, NumPy and PyTorch.

    TensorFlow's eager matmul (Eigen) runs well below the oneDNN convolutions the
    networks use, so the best of three libraries is the honest ceiling.
    """
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n), np.float32), rng.standard_normal((n, n), np.float32)
    candidates = {"tensorflow": lambda: tf.linalg.matmul(a, b).numpy(), "numpy": lambda: a @ b}
    if FLAGS.torch:
        import torch

        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        candidates["torch"] = lambda: torch.mm(ta, tb)
    best = {}
    for name, fn in candidates.items():
        fn()
        seconds = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t)
        best[name] = 2 * n**3 / min(seconds) / 1e9
    print("matmul GFLOP/s:", {k: round(v, 1) for k, v in best.items()}, flush=True)
    return max(best.values())


# ------------------------------------------------------------------ PyTorch
def torch_nets(variant, model):
    """PyTorch twins of the zoo model's networks, built from its Keras layers."""
    import torch
    from torch import nn

    def sequential(keras_model):
        mods = []
        for layer in keras_model.layers:
            kind = type(layer).__name__
            out = layer.output.shape
            inp = layer.input.shape
            if kind == "Reshape":
                mods.append(nn.Unflatten(1, (out[-1], *out[1:-1])) if len(out) == 4 and
                            out[1] == 1 else nn.Unflatten(1, (out[-1], out[1], out[2])))
            elif kind in ("Conv2DTranspose", "Conv2D"):
                k, s = layer.kernel_size[0], layer.strides[0]
                same = layer.padding == "same"
                if kind == "Conv2D":
                    mods.append(nn.Conv2d(inp[-1], layer.filters, k, s, padding=k // 2 if same
                                          else 0, bias=layer.use_bias))
                else:
                    mods.append(nn.ConvTranspose2d(
                        inp[-1], layer.filters, k, s, padding=(k - 1) // 2 if same else 0,
                        output_padding=s - 1 if same else 0, bias=layer.use_bias))
            elif kind == "BatchNormalization":
                mods.append(nn.BatchNorm2d(out[-1], eps=1e-5, momentum=0.1))
            elif kind == "LayerNormalization":
                mods.append(nn.LayerNorm([out[-1], out[1], out[2]]))
            elif kind == "ReLU":
                mods.append(nn.ReLU())
            elif kind == "LeakyReLU":
                mods.append(nn.LeakyReLU(0.2))
            elif kind == "Activation":
                mods.append(nn.Tanh())
            elif kind == "Flatten":
                mods.append(nn.Flatten())
            elif kind == "Dense":
                mods.append(nn.Linear(inp[-1], layer.units))
                if layer.activation.__name__ != "linear":
                    mods.append(nn.ReLU() if layer.activation.__name__ == "relu" else nn.Tanh())
            elif kind == "Maxout":
                mods.append(Maxout(inp[-1], layer.units, layer.pieces))
            elif kind == "SeededDropout":
                mods.append(nn.Dropout(layer.rate))
            else:
                raise NotImplementedError(kind)
        return nn.Sequential(*mods)

    class Maxout(nn.Module):
        def __init__(self, d_in, units, pieces):
            super().__init__()
            self.units, self.pieces = units, pieces
            self.linear = nn.Linear(d_in, units * pieces)

        def forward(self, x):
            return self.linear(x).view(-1, self.units, self.pieces).max(-1).values

    if not variant.startswith("cyclegan"):
        return sequential(model.generator), sequential(model.discriminator)

    def block(c):
        return nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=False),
                             nn.InstanceNorm2d(c), nn.ReLU(), nn.ReflectionPad2d(1),
                             nn.Conv2d(c, c, 3, bias=False), nn.InstanceNorm2d(c))

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.f = block(c)

        def forward(self, x):
            return x + self.f(x)

    w, ch, n = model.width, model.channels, model.n_blocks

    def generator():
        return nn.Sequential(
            nn.ReflectionPad2d(3), nn.Conv2d(ch, w, 7, bias=False), nn.InstanceNorm2d(w), nn.ReLU(),
            nn.Conv2d(w, 2 * w, 3, 2, 1, bias=False), nn.InstanceNorm2d(2 * w), nn.ReLU(),
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1, bias=False), nn.InstanceNorm2d(4 * w), nn.ReLU(),
            *[Residual(4 * w) for _ in range(n)],
            nn.ConvTranspose2d(4 * w, 2 * w, 3, 2, 1, 1, bias=False), nn.InstanceNorm2d(2 * w),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * w, w, 3, 2, 1, 1, bias=False), nn.InstanceNorm2d(w), nn.ReLU(),
            nn.ReflectionPad2d(3), nn.Conv2d(w, ch, 7), nn.Tanh())

    def discriminator():
        mods = [nn.Conv2d(ch, w, 4, 2, 1), nn.LeakyReLU(0.2)]
        c = w
        for mult, stride in ((2, 2), (4, 2), (8, 1)):
            mods += [nn.Conv2d(c, w * mult, 4, stride, 1 if stride == 2 else "same", bias=False),
                     nn.InstanceNorm2d(w * mult), nn.LeakyReLU(0.2)]
            c = w * mult
        mods.append(nn.Conv2d(c, 1, 4, 1, "same"))
        return nn.Sequential(*mods)

    del torch
    return (generator(), generator()), (discriminator(), discriminator())


def time_torch(variant):
    import itertools

    import numpy as np
    import torch

    model = zoo_model(variant)
    (G, D) = torch_nets(variant, model)
    batch = SETTINGS[variant][1]
    z_dim = model.latent_dim
    rng = np.random.default_rng(0)
    shape = (batch, model.channels, model.image_size, model.image_size)
    real = torch.tensor(rng.uniform(-1, 1, shape), dtype=torch.float32)
    y = torch.arange(batch) % 10
    bce = torch.nn.BCEWithLogitsLoss()
    wasserstein = variant in ("wgan", "wgan-gp")

    if variant.startswith("cyclegan"):
        (g_ab, g_ba), (d_a, d_b) = G, D
        real_b = real.clone()
        g_params = itertools.chain(g_ab.parameters(), g_ba.parameters())
        d_params = itertools.chain(d_a.parameters(), d_b.parameters())
        g_opt = torch.optim.Adam(g_params, 2e-4, betas=(0.5, 0.999))
        d_opt = torch.optim.Adam(d_params, 2e-4, betas=(0.5, 0.999))
        pool = {"a": [], "b": []}

        def query(name, fake):
            stored = pool[name]
            if len(stored) < 50:
                stored.append(fake)
                return fake
            if rng.uniform() > 0.5:
                i = rng.integers(50)
                stored[i], fake = fake, stored[i]
            return fake

        def one(i):
            a, b = real, real_b
            fb, fa = g_ab(a), g_ba(b)
            loss = (((d_b(fb) - 1) ** 2).mean() + ((d_a(fa) - 1) ** 2).mean()
                    + 10 * ((g_ba(fb) - a).abs().mean() + (g_ab(fa) - b).abs().mean())
                    + 5 * ((g_ab(b) - b).abs().mean() + (g_ba(a) - a).abs().mean()))
            g_opt.zero_grad(set_to_none=True)
            loss.backward()
            g_opt.step()
            pa, pb = query("a", fa.detach()), query("b", fb.detach())
            loss = 0.5 * (((d_a(a) - 1) ** 2).mean() + (d_a(pa) ** 2).mean()
                          + ((d_b(b) - 1) ** 2).mean() + (d_b(pb) ** 2).mean())
            d_opt.zero_grad(set_to_none=True)
            loss.backward()
            d_opt.step()
    else:
        cond = bool(model.num_classes)

        def gen(z, labels):
            if cond:
                z = torch.cat([z, torch.nn.functional.one_hot(labels, 10).float()], 1)
            return G(z)

        def disc(x, labels):
            if cond:
                planes = torch.nn.functional.one_hot(labels, 10).float()[:, :, None, None]
                x = torch.cat([x, planes.expand(-1, -1, x.shape[2], x.shape[3])], 1)
            if isinstance(D[0], torch.nn.Flatten) or not isinstance(D[0], torch.nn.Conv2d):
                x = x.permute(0, 2, 3, 1)  # the MLP flattens NHWC, like Keras
            return D(x)

        if variant == "wgan":
            d_opt = torch.optim.RMSprop(D.parameters(), 5e-5)  # alpha 0.99, as the zoo's WGAN (zoo.models.wgan)
            g_opt = torch.optim.RMSprop(G.parameters(), 5e-5)  # alpha 0.99, as the zoo's WGAN (zoo.models.wgan)
        else:
            lr, betas = (1e-4, (0.5, 0.9)) if variant == "wgan-gp" else (2e-4, (0.5, 0.999))
            d_opt = torch.optim.Adam(D.parameters(), lr, betas=betas)
            g_opt = torch.optim.Adam(G.parameters(), lr, betas=betas)
        every = 5 if wasserstein else 1

        def one(i):
            fy = torch.randint(0, 10, (batch,))
            fake = gen(torch.randn(batch, z_dim), fy).detach()
            if wasserstein:
                loss = disc(fake, fy).mean() - disc(real, y).mean()
                if variant == "wgan-gp":
                    eps = torch.rand(batch, 1, 1, 1)
                    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
                    (g,) = torch.autograd.grad(disc(mix, y).sum(), mix, create_graph=True)
                    norm = torch.sqrt((g * g).sum((1, 2, 3)) + 1e-12)
                    loss = loss + 10 * ((norm - 1) ** 2).mean()
            else:
                ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
                loss = bce(disc(real, y), ones) + bce(disc(fake, fy), zeros)
            d_opt.zero_grad(set_to_none=True)
            loss.backward()
            d_opt.step()
            if variant == "wgan":
                with torch.no_grad():
                    for p in D.parameters():
                        p.clamp_(-0.01, 0.01)
            if (i + 1) % every == 0:
                fy = torch.randint(0, 10, (batch,))
                score = disc(gen(torch.randn(batch, z_dim), fy), fy)
                loss = -score.mean() if wasserstein else bce(score, torch.ones(batch, 1))
                g_opt.zero_grad(set_to_none=True)
                loss.backward()
                g_opt.step()

    for i in range(steps_for(variant)):  # warm-up
        one(i)
    while True:
        t = time.perf_counter()
        for i in range(steps_for(variant)):
            one(i)
        yield time.perf_counter() - t, model


# --------------------------------------------------------------------- main
def number(value):
    """Three figures at most, two at least: a precision that CPUs emulate (float16 on
    most x86) can be hundreds of times slower, and must not print as 0.00."""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"



def main(argv):
    del argv
    import tensorflow as tf

    if FLAGS.policy:
        import keras

        keras.mixed_precision.set_global_policy(FLAGS.policy)
    if FLAGS.deterministic:
        tf.config.experimental.enable_op_determinism()
        tf.random.set_seed(0)  # the hand-written loop's stateful random ops need one
    if FLAGS.threads:
        tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
        tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)
    torch_version = None
    if FLAGS.torch:
        import torch

        torch_version = torch.__version__
        if FLAGS.threads:
            torch.set_num_threads(FLAGS.threads)
            torch.set_num_interop_threads(FLAGS.threads)
    peak = peak_gflops()
    print(f"peak float32 matmul: {peak:.1f} GFLOP/s", flush=True)
    started = time.time()
    rows = []
    for variant in FLAGS.variants:
        batch = SETTINGS[variant][1]
        clocks = {"zoo fit": time_zoo_fit(variant, False), "tf loop": time_tf_loop(variant)}
        if FLAGS.xla and variant not in FLAGS.no_xla:
            clocks["zoo fit + XLA"] = time_zoo_fit(variant, True)
        for policy in FLAGS.precisions:
            clocks[f"zoo fit {SHORT.get(policy, policy)}"] = time_zoo_fit(variant, False, policy)
        if FLAGS.torch and variant not in NO_TORCH:
            clocks["torch"] = time_torch(variant)
        seconds = {name: [] for name in clocks}
        for r in range(FLAGS.repeats):  # interleaved, rotating the order
            names = list(clocks)
            names = names[r % len(names):] + names[: r % len(names)]
            for name in names:
                seconds[name].append(next(clocks[name])[0])
        images = steps_for(variant) * batch
        ips = {name: images / statistics.median(s) for name, s in seconds.items()}
        flops = flops_per_update(variant)
        gflops = flops * ips["zoo fit"] / batch / 1e9
        g_per_d = 1 / 5 if variant in ("wgan", "wgan-gp") else 1
        row = {"variant": variant, "preset": SETTINGS[variant][0], "batch": batch, **ips,
               "g_steps_per_s": ips["zoo fit"] / batch * g_per_d,
               "mflop_per_update": flops / 1e6, "gflops": gflops, "util": gflops / peak}
        rows.append(row)
        print({k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()},
              flush=True)
    peak = max(peak, peak_gflops())  # measured again at the end: the best of both
    for r in rows:
        r["util"] = r["gflops"] / peak
    mixed = [f"zoo fit {SHORT.get(p, p)}" for p in FLAGS.precisions]
    names = ["zoo fit", "tf loop"] + (["zoo fit + XLA"] if FLAGS.xla else []) + mixed + (
        ["torch"] if FLAGS.torch else [])
    head = (["variant", "batch"] + [f"{n} img/s" for n in names] + ["zoo/tf loop"]
            + (["zoo/torch"] if FLAGS.torch else []) + (["XLA/zoo"] if FLAGS.xla else [])
            + [f"{SHORT.get(p, p)}/zoo" for p in FLAGS.precisions]
            + ["G steps/s", "MFLOP/update", "GFLOP/s", "of peak"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["variant"], str(r["batch"])] + [number(r[n]) if n in r else "n/a"
                                                   for n in names]
        cells.append(number(r["zoo fit"] / r["tf loop"]))
        if FLAGS.torch:
            cells.append(number(r["zoo fit"] / r["torch"]) if "torch" in r else "n/a")
        if FLAGS.xla:
            cells.append(number(r["zoo fit + XLA"] / r["zoo fit"]) if "zoo fit + XLA" in r
                         else "n/a")
        cells += [number(r[n] / r["zoo fit"]) for n in mixed]
        cells += [number(r["g_steps_per_s"]), f"{r['mflop_per_update']:.0f}",
                  f"{r['gflops']:.1f}", f"{r['util']:.0%}"]
        lines.append("| " + " | ".join(cells) + " |")
    machine = (f"{platform.machine()}, {os.cpu_count()} logical CPUs, threads="
               f"{FLAGS.threads or 'default'}, deterministic ops {FLAGS.deterministic}, "
               f"dtype policy {FLAGS.policy or 'float32'}, "
               f"TensorFlow {tf.__version__}"
               + (f", PyTorch {torch_version}" if torch_version else "")
               + f"; peak float32 matmul {peak:.1f} GFLOP/s")
    text = "\n".join([f"Machine: {machine}.", f"Median of {FLAGS.repeats} epochs of "
                      f"{FLAGS.steps} steps (cyclegan-256: {STEPS['cyclegan-256']}); whole run "
                      f"{time.time() - started:.0f} s.", ""]
                     + lines) + "\n"
    print(text)
    if FLAGS.markdown:
        with open(FLAGS.markdown, "w") as f:
            f.write(text)


if __name__ == "__main__":
    app.run(main)
