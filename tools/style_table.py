"""Paired against unpaired, side by side: CycleGAN and pix2pix on the same test images.

For each style pair (the emoji, Noto <-> Twemoji; the calligraphy, Ming -> Kai) and each
direction, the shipped CycleGAN (trained unpaired) and the shipped pix2pix (trained on
pairs) translate the same test images and are scored the same way (``zoo.evaluate``'s
translation scores, on the test split the snapshots were not chosen on): the style rate
as a share of the real counterparts', the content kept (the emoji's category; for glyphs
whether the nearest true glyph is the character's own), the L1 to the true counterpart
over the untranslated image's, the KID, the checkerboard number, and for the emoji the
style rate per category. One picture per pair shows, column by column, test sources,
CycleGAN's translations, pix2pix's and the true counterparts.

Writes ``docs/style/README.md`` (the tables), ``docs/style/<pair>.png`` and the same
tables between the markers in README.md; a preset not shipped yet is left out, and the
table says so.

    python tools/style_table.py
"""

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "style"
BEGIN, END = "<!-- style-table:begin -->", "<!-- style-table:end -->"
# pair -> [(the way, in words), (CycleGAN preset, its direction), pix2pix preset]
WAYS = {
    "emoji": [("Noto -> Twemoji", ("cyclegan-noto2twemoji", "a2b"), "pix2pix-noto2twemoji"),
              ("Twemoji -> Noto", ("cyclegan-noto2twemoji", "b2a"), "pix2pix-twemoji2noto")],
    "hanzi": [("Ming -> Kai", ("cyclegan-ming2kai", "a2b"), "pix2pix-ming2kai")],
}
ROWS = [("read as the target style, share of the real counterparts'", "target_style_rate_share"),
        ("read as the target style (real counterparts)", None),
        ("category kept, share of the real counterparts'", "category_kept_ratio"),
        ("nearest true glyph is its own character (untranslated)", None),
        ("L1 to the true counterpart / untranslated's", "l1_ratio"),
        ("KID x 1000 (untranslated, floor)", None),
        ("checkerboard, over the real counterparts'", "checkerboard")]


def cell(row, label):
    """One table cell of a direction's scores ``row``."""
    if row is None:
        return "not shipped yet"
    if label.startswith("read as the target style (real"):
        return f"{row['target_style_rate']:.1%} ({row['target_style_rate_real']:.1%})"
    if label.startswith("nearest"):
        return (f"{row['nearest_own']:.1%} ({row['nearest_own_identity']:.1%})"
                if "nearest_own" in row else "")
    if label.startswith("KID"):
        return f"{row['kid']:,.0f} ({row['kid_identity']:,.0f}, {row['kid_floor']:,.0f})"
    key = dict(ROWS)[label]
    value = row.get(key)
    return "" if value is None else f"{value:.3f}"


def by_category(model, direction, pair, split="test"):
    """The emoji style rate of ``model``'s translations per category, in words."""
    from zoo import data, emoji_data, evaluation

    (xa, cats), (xb, _) = data.pair_domains(pair, split)
    src = xa if direction == "a2b" else xb
    names = evaluation._pair_names(pair)
    style = data.EMOJI_STYLES.index(names[1 if direction == "a2b" else 0].split("/")[1])
    net = evaluation.load_classifier("emoji/both")
    _, probs = evaluation.features(net, model.translate(src, direction))
    styles, _ = evaluation._style_and_category(probs)
    parts = []
    for k, category in enumerate(emoji_data.CATEGORIES):
        hit = styles[cats == k] == style
        if len(hit):
            parts.append(f"{category} {hit.mean():.0%} ({len(hit)})")
    return ", ".join(parts)


def spectrum(images_):
    """The mean log power spectrum of ``images_``' luminance, zero frequency centred."""
    grey = np.asarray(images_, np.float64).mean(-1)
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    power = (np.abs(np.fft.fft2(grey)) ** 2).mean(0)
    return np.log10(np.fft.fftshift(power) + 1e-6)


def draw_spectra(panels, path):
    """``panels``: ``[(title, images)]``, one spectrum each, on one colour scale. The
    period-2 grid of a transposed convolution is the bright edge rows and columns
    (the Nyquist frequency) that the real images lack."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spectra = [spectrum(x) for _, x in panels]
    lo, hi = min(s.min() for s in spectra), max(s.max() for s in spectra)
    fig, axes = plt.subplots(1, len(panels), figsize=(max(2.6 * len(panels), 6), 3.2))
    for ax, (title, _), sp in zip(np.atleast_1d(axes), panels, spectra):
        ax.imshow(sp, vmin=lo, vmax=hi, cmap="magma")
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("mean log power spectrum\n(centre: low frequencies; edges: the Nyquist "
                 "row and column,\nwhere a checkerboard shows)", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    from zoo import data, evaluation, files, images, registry

    shipped = set(registry.list_models(shipped_only=True))
    OUT.mkdir(parents=True, exist_ok=True)
    lines = []
    for pair, ways in WAYS.items():
        pictures = []
        for words, (cyclegan, direction), pix2pix in ways:
            rows, models = {}, {}
            for name, way in ((cyclegan, direction), (pix2pix, "a2b")):
                if name not in shipped:
                    rows[name] = None
                    continue
                models[name] = registry.load(name)
                dataset = registry.PRESETS[name].dataset
                rows[name] = evaluation.evaluate_translation(models[name], dataset)[way]
            lines += [f"\n**{words}** ({'377 test emoji' if pair == 'emoji' else '677 test characters'}, "
                      "test split, `zoo.evaluate`)\n",
                      f"| | CycleGAN (`{cyclegan}`, unpaired) | pix2pix (`{pix2pix}`, paired) |",
                      "|---|---|---|"]
            for label, _ in ROWS:
                cells = [cell(rows[n], label) for n in (cyclegan, pix2pix)]
                if any(cells) and not all(c in ("", "not shipped yet") for c in cells):
                    lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
            if pair == "hanzi":  # characters never seen, of a kind never seen (traditional)
                extra = {n: (evaluation.evaluate_translation(models[n], registry.PRESETS[n].dataset,
                                                              split="extra")[way]
                             if n in models else None)
                         for n, way in ((cyclegan, direction), (pix2pix, "a2b"))}
                count = len(data.pair_domains(registry.PRESETS[pix2pix].dataset, "extra")[0][0])
                lines += [f"\nThe same on {count} characters outside GB2312 (the hanzi's `extra` "
                          "split: Big5 characters both faces have, mostly traditional forms; "
                          "never trained on):\n",
                          f"| | CycleGAN (`{cyclegan}`) | pix2pix (`{pix2pix}`) |", "|---|---|---|"]
                for label, _ in ROWS:
                    cells = [cell(extra[n], label) for n in (cyclegan, pix2pix)]
                    if any(cells) and not all(c in ("", "not shipped yet") for c in cells):
                        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
            if pair == "emoji":
                for name, way in ((cyclegan, direction), (pix2pix, "a2b")):
                    if name in models:
                        dataset = registry.PRESETS[name].dataset
                        lines.append(f"\nStyle rate by category, `{name}`: "
                                     + by_category(models[name], way, dataset))
            # The picture: 8 test sources, CycleGAN's, pix2pix's, the true counterparts.
            (xa, _), (xb, _) = data.pair_domains(registry.PRESETS[pix2pix].dataset, "test")
            pick = slice(None, None, max(1, len(xa) // 8))
            src, dst = xa[pick][:8], xb[pick][:8]
            blank = np.ones_like(src)
            if pair == "emoji":  # the checkerboard, seen: each model's spectrum beside the real one
                whole, truth = xa, xb  # the pix2pix set's source and target: this way's
                panels = [(f"real ({words.split(' -> ')[1]})", truth)]
                panels += [(f"{n}", models[n].translate(whole, way)) for n, way in
                           ((cyclegan, direction), (pix2pix, "a2b")) if n in models]
                draw_spectra(panels, OUT / f"spectrum-{direction}.png")
                lines.append(f"\n![spectra, {words}](docs/style/spectrum-{direction}.png)")
            pictures += [src,
                         models[cyclegan].translate(src, direction) if cyclegan in models else blank,
                         models[pix2pix].translate(src) if pix2pix in models else blank, dst]
        picture = OUT / f"{pair}.png"
        images.save_grid(np.concatenate(pictures), picture, cols=8, scale=2)
        lines.append(f"\n![{pair}: source, CycleGAN, pix2pix, true counterpart]"
                     f"(docs/style/{pair}.png)\n\nRows, for each direction: test sources, "
                     "CycleGAN's translations, pix2pix's, the true counterparts"
                     + (" (a white row: that preset is not shipped yet)." if len(models) < 2 else "."))
    table = "\n".join(lines).strip() + "\n"
    files.write_text(OUT / "README.md", "# Paired against unpaired style transfer\n\n"
                     "Made by `python tools/style_table.py`.\n\n" + table.replace("docs/style/", ""))
    readme = (ROOT / "README.md").read_text()
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        files.write_text(ROOT / "README.md", f"{head}{BEGIN}\n{table}{END}{tail}")
    print(table)


if __name__ == "__main__":
    main()
