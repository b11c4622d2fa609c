"""A local web demo of the shipped models: ``python -m zoo serve [--port P]``.

Built on Gradio (``pip install -e '.[demo]'``), the toolkit of Hugging Face
Spaces. Four tabs:

* **Sample**: a preset, a seed, a count (and a digit for the conditional GAN)
  -> the grid ``zoo.save_grid`` would write for ``model.sample(n, seed=seed)``.
* **Walk**: two seeds and a slider along ``model.interpolate(seed_a, seed_b)``.
* **Translate**: CycleGAN and pix2pix; upload an image (or pick a test image) -> its translation.
* **Project**: upload an image (or pick a test image) -> the nearest image the generator can
  make (``model.project``: the latents found by optimisation), beside it.

It serves on 127.0.0.1 only, sends nothing anywhere (Gradio's analytics are
off, the theme uses the system's fonts, nothing is shared), loads each model
once, and answers a request for 16 images in a few tens of milliseconds on a
CPU. Images are returned as PNG, so what the page shows are exactly the
pixels of ``zoo.images.grid(model.sample(...))``.

Gradio caches each output image under a name made from a hash of its bytes and
rewrites that file in place for every response, so two identical answers at
the same moment race (one reader got 0 bytes in the load test). Each PNG here
therefore carries a text chunk with a request id: equal pixels, distinct files.
"""

import functools
import os
import uuid

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import numpy as np  # noqa: E402

from zoo import errors, images, registry  # noqa: E402

MAX_UPLOAD_BYTES = 10 << 20
MAX_UPLOAD_PIXELS = 4096 * 4096
WALK_STEPS = 8
PROJECT_STEPS, PROJECT_RESTARTS = 300, 4  # model.project's defaults


def _gradio():
    try:
        import gradio as gr
    except ImportError:
        raise errors.ZooValueError(
            "the web demo needs Gradio: pip install -e '.[demo]' (or pip install 'zoo[demo]')."
        ) from None
    return gr


def available(kind):
    """Presets with weights on this machine: ``"noise"`` (sample) or ``"translate"``."""
    names = registry.list_models(shipped_only=True)
    is_translator = [registry.PRESETS[n].task == "image-to-image" for n in names]
    return [n for n, t in zip(names, is_translator) if t == (kind == "translate")]


@functools.lru_cache(maxsize=None)
def model(name):
    """Each model is loaded once per server."""
    return registry.load(name)


def picture(tiles):
    """uint8 grid pixels as a PIL image that Gradio stores under a name of its own."""
    from PIL import Image

    image = Image.fromarray(tiles[..., 0] if tiles.shape[-1] == 1 else tiles)
    image.info["zoo-request"] = uuid.uuid4().hex
    return image


def sample_grid(name, seed, count, digit="any"):
    """The grid of ``model(name).sample(count, seed=seed)``."""
    m = model(name)
    labels = None
    if m.num_classes and digit not in (None, "", "any"):
        labels = [int(digit)] * int(count)
    return picture(images.grid(m.sample(int(count), seed=int(seed), labels=labels)))


def walk(name, seed_a, seed_b, position):
    """Frame ``position`` (0..WALK_STEPS-1) of the walk, and the whole strip."""
    frames = model(name).interpolate(int(seed_a), int(seed_b), WALK_STEPS)
    position = int(np.clip(position, 0, WALK_STEPS - 1))
    return picture(images.grid(frames[position : position + 1])), \
        picture(images.grid(frames, cols=WALK_STEPS))


def read_upload(path, channels=1):
    """An uploaded file as a uint8 image of ``channels`` (1: grey by luminance; 3: RGB,
    transparency composited onto white, as the emoji data are), or a ZooValueError that
    says why not."""
    from PIL import Image, UnidentifiedImageError

    if path is None:
        raise errors.ZooValueError("no image: upload one, or pick a test image below.")
    if not os.path.isfile(path):
        raise errors.ZooValueError(f"{path}: no such image file.")
    size = os.path.getsize(path)
    if size > MAX_UPLOAD_BYTES:
        raise errors.ZooValueError(
            f"the file is {size / 2**20:.1f} MiB; upload an image under "
            f"{MAX_UPLOAD_BYTES >> 20} MiB.")
    try:
        with Image.open(path) as picture:
            if picture.width * picture.height > MAX_UPLOAD_PIXELS:
                raise errors.ZooValueError(
                    f"the image is {picture.width}x{picture.height} pixels; upload one of at "
                    f"most {MAX_UPLOAD_PIXELS:,} pixels (the models work at 28 or 64 px).")
            if channels == 1:
                return np.asarray(picture.convert("L"))
            rgba = picture.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise errors.ZooValueError(
            "that file is not an image this demo can read; upload a PNG, JPEG, BMP or GIF."
        ) from None


def directions(name):
    """The directions preset ``name`` translates in (its class's; no weights loaded)."""
    return registry.PRESETS[registry.canonical(name)].cls.directions if name else ("a2b",)


def read_resized(path, size, channels):
    """An image file as uint8 ``(size, size, channels)``: :func:`read_upload`, resized
    (bilinear) to the model's size."""
    from PIL import Image

    pixels = np.asarray(Image.fromarray(read_upload(path, channels)).resize((size, size),
                                                                          Image.BILINEAR))
    return pixels.reshape(size, size, channels)


def translate(name, path, direction):
    """The uploaded image (resized to the model's size) and its translation, as uint8."""
    m = model(name)
    small = read_resized(path, m.image_size, m.channels)
    moved = m.translate(small, direction)
    return picture(images.grid(np.stack([small / 127.5 - 1.0, moved]), cols=2))


def project(name, path, digit="any", steps=PROJECT_STEPS):
    """The uploaded image (resized to the model's size) and the generator's nearest image
    (``model.project``), and the pixel error between them."""
    m = model(name)
    if m.task == "image-to-image":
        raise errors.ZooValueError(f"{name} translates images; the Translate tab runs it.")
    small = read_resized(path, m.image_size, m.channels)
    labels = None
    if m.num_classes:
        if digit in (None, "", "any"):
            raise errors.ZooValueError(f"{name} is conditional: pick the image's digit.")
        labels = [int(digit)]
    _, made = m.project(small, labels=labels, steps=steps, restarts=PROJECT_RESTARTS)
    target = small / 127.5 - 1.0
    error = float(np.mean((made[0] - target) ** 2))
    return (picture(images.grid(np.stack([target, made[0]]), cols=2)),
            f"pixel MSE {error:.4f} (in [-1, 1] units), {steps} Adam steps, "
            f"{PROJECT_RESTARTS} restarts")


def build(max_count=64):
    """The Gradio app (``gr.Blocks``); ``launch`` it, or use ``serve``."""
    gr = _gradio()

    def guarded(fn):
        @functools.wraps(fn)
        def run(*args):
            try:
                return fn(*args)
            except errors.ZooError as e:  # a message on the page, not a stack trace
                raise gr.Error(str(e)) from None
        return run

    noise, translators = available("noise"), available("translate")
    # Cached outputs older than an hour are deleted every 10 minutes: disk stays bounded.
    with gr.Blocks(title="zoo: the classic GANs", analytics_enabled=False,
                   delete_cache=(600, 3600)) as app:
        gr.Markdown("# zoo: the classic GANs\nSamples, latent walks and translations from the "
                    "zoo's shipped checkpoints, computed on this machine.")
        with gr.Tab("Sample"):
            with gr.Row():
                preset = gr.Dropdown(noise, value=noise[0] if noise else None, label="preset",
                                     elem_id="sample-preset")
                seed = gr.Number(0, precision=0, minimum=0, label="seed", elem_id="sample-seed")
                count = gr.Slider(1, max_count, 16, step=1, label="images", elem_id="sample-count")
                digit = gr.Dropdown(["any"] + [str(d) for d in range(10)], value="any",
                                    label="digit (cgan-mnist)", elem_id="sample-digit")
            button = gr.Button("Sample", elem_id="sample-button")
            grid = gr.Image(type="pil", format="png", label="samples", elem_id="sample-image",
                            elem_classes="zoo-pixels", interactive=False, height=420)
            button.click(guarded(sample_grid), [preset, seed, count, digit], grid,
                         api_name="sample")
            if noise:  # the page opens on a grid, not an empty frame
                app.load(guarded(sample_grid), [preset, seed, count, digit], grid)
        with gr.Tab("Walk"):
            with gr.Row():
                w_preset = gr.Dropdown(noise, value=noise[0] if noise else None, label="preset",
                                       elem_id="walk-preset")
                seed_a = gr.Number(0, precision=0, minimum=0, label="from seed",
                                   elem_id="walk-a")
                seed_b = gr.Number(1, precision=0, minimum=0, label="to seed", elem_id="walk-b")
            position = gr.Slider(0, WALK_STEPS - 1, 0, step=1, label="position along the walk",
                                 elem_id="walk-position")
            frame = gr.Image(type="pil", format="png", label="image", elem_id="walk-image",
                             elem_classes="zoo-pixels", interactive=False, height=280)
            strip = gr.Image(type="pil", format="png", label="the whole walk",
                             elem_id="walk-strip", interactive=False)
            for control in (position, w_preset, seed_a, seed_b):
                control.change(guarded(walk), [w_preset, seed_a, seed_b, position],
                               [frame, strip], api_name="walk")
        with gr.Tab("Translate"):
            with gr.Row():
                t_preset = gr.Dropdown(translators, value=translators[0] if translators else None,
                                       label="preset", elem_id="translate-preset")
                first = translators[0] if translators else None
                direction = gr.Radio(list(directions(first)), value="a2b", label="direction",
                                     elem_id="translate-direction")
            upload = gr.File(label="an image", elem_id="translate-upload")
            examples = [e for name in translators for e in _test_images(name)]
            if examples:
                gr.Examples(examples, inputs=[upload], label="or pick a test image")
            t_button = gr.Button("Translate", elem_id="translate-button")
            pair = gr.Image(type="pil", format="png", label="input | translation",
                            elem_id="translate-image", elem_classes="zoo-pixels", interactive=False, height=280)
            t_button.click(guarded(translate), [t_preset, upload, direction], pair,
                           api_name="translate")
            # A one-way translator (pix2pix) offers its one direction.
            t_preset.change(lambda name: gr.update(choices=list(directions(name)),
                                                   value=directions(name)[0]),
                            t_preset, direction)
        with gr.Tab("Project"):
            with gr.Row():
                p_preset = gr.Dropdown(noise, value=noise[0] if noise else None, label="preset",
                                       elem_id="project-preset")
                p_digit = gr.Dropdown(["any"] + [str(d) for d in range(10)], value="any",
                                      label="the image's digit (cgan-mnist)",
                                      elem_id="project-digit")
            p_upload = gr.File(label="an image", elem_id="project-upload")
            p_examples = [e for name in dict.fromkeys(registry.PRESETS[n].dataset for n in noise)
                          for e in _real_images(name)]
            if p_examples:
                gr.Examples(p_examples, inputs=[p_upload], label="or pick a test image")
            p_button = gr.Button("Project", elem_id="project-button")
            p_pair = gr.Image(type="pil", format="png", label="input | the generator's nearest",
                              elem_id="project-image", elem_classes="zoo-pixels",
                              interactive=False, height=280)
            p_error = gr.Textbox(label="error", elem_id="project-error", interactive=False)
            p_button.click(guarded(project), [p_preset, p_upload, p_digit], [p_pair, p_error],
                           api_name="project")
    return app


def _test_images(name, per_domain=2):
    """A few test images of each of the preset's two domains as PNG files, for the examples."""
    import tempfile

    from zoo import data

    try:
        domains = data.pair_domains(registry.PRESETS[name].dataset)
    except errors.ZooError:
        return []  # no prepared data here: uploads only
    folder = tempfile.mkdtemp(prefix="zoo-demo-")
    paths = []
    for side, (x, _) in zip("ab", domains):
        for i, image in enumerate(x[:: max(1, len(x) // 7)][:per_domain]):
            path = os.path.join(folder, f"{name}_{side}{i}.png")
            _save_plain(image, path)
            paths.append([path])
    return paths


def _real_images(dataset, count=2):
    """A few test images of a noise-to-image preset's data set as PNG files, for the examples."""
    import tempfile

    from zoo import data

    try:
        x = data.images(dataset, "test")
        x = x[:: max(1, len(x) // 7)][:count]
    except errors.ZooError:
        return []  # no prepared data here: uploads only
    folder = tempfile.mkdtemp(prefix="zoo-demo-")
    paths = []
    for i, image in enumerate(x):
        path = os.path.join(folder, f"{dataset.replace('/', '_')}_{i}.png")
        _save_plain(image, path)
        paths.append([path])
    return paths


def _save_plain(image, path):
    from PIL import Image

    pixels = images.to_uint8(image)
    Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(path)


def launch(app, port=7860, block=True):
    """Start ``app`` on 127.0.0.1:``port``: no share link, no server-side rendering
    (it would need Node.js), the system's fonts (no requests to a font host)."""
    gr = _gradio()
    theme = gr.themes.Base(font=["sans-serif"], font_mono=["monospace"])
    app.queue(default_concurrency_limit=1, max_size=64)
    # 28-pixel images drawn large, without smoothing.
    css = (".zoo-pixels img {object-fit: contain !important; width: 100% !important; "
           "height: 100% !important; image-rendering: pixelated;}")
    app.launch(server_name="127.0.0.1", server_port=port, share=False, inbrowser=False,
               ssr_mode=False, theme=theme, css=css, quiet=True, prevent_thread_lock=not block,
               max_file_size=f"{4 * MAX_UPLOAD_BYTES >> 20}mb")
    return app


def serve(port=7860, max_count=64):
    """Run the demo on http://127.0.0.1:port until interrupted."""
    launch(build(max_count), port)
