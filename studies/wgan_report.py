"""The WGAN-claims study's report: its verdicts, tables and plots, from the runs' records.

``studies/wgan_claims.py`` trains the runs and measures them; this module reads what they
wrote (``<runs>/<run>/trace.jsonl``, ``final.json``, ``samples.png``) and nothing else
(the shipped Wasserstein checkpoints' curves aside), so the report can be written again
from the records committed beside it, by ``python studies/wgan_claims.py --report``, or
from Python::

    import wgan_report  # with studies/ on sys.path
    wgan_report.report(wgan_report.Study(runs=Path("docs/study/claims/records")),
                       Path("docs/study/claims"), real=json.loads(...real.json...))
"""

import dataclasses
import json
import statistics
from pathlib import Path

import numpy as np

from zoo import checkpoint, files, registry
from zoo.probe import QualityProbe
from zoo.runs import read_rows

OBJECTIVES = ("gan", "wgan", "wgan-gp")
GENERATORS = ("dcgan", "dcgan-nobn", "mlp")
CONFIGS = [(o, g) for o in OBJECTIVES for g in GENERATORS] + [("gan-minimax", "dcgan")]
# The shipped Wasserstein checkpoints, whose training curves log the critic's estimate and
# the FID: claim 3 on the zoo's own long runs (width 64).
SHIPPED = ("wgan-mnist", "wgan-gp-mnist", "wgan-gp-fashion-mnist")
# Fewer modes than this (of 1000) in a finished run's final samples: the run collapsed.
# Fixed while the Wasserstein runs with the weaker generators were still training.
COLLAPSED = 100


@dataclasses.dataclass(frozen=True)
class Study:
    """Which runs a report reads: the runs' folder, the seeds its verdicts rest on (the
    collapse counts read every seed found there) and the networks' width it states."""

    runs: Path = Path("runs/study")
    seeds: tuple = ("0", "1")
    width: int = 16


def run_name(objective, generator, seed):
    return f"{objective}-{generator}-seed{seed}"



def spread(values):
    """'mean ± half-range' of the seeds' values."""
    if not values:
        return "n/a"
    digits = 1 if max(abs(v) for v in values) >= 10 else 2
    return f"{statistics.mean(values):.{digits}f} ± {(max(values) - min(values)) / 2:.{digits}f}"


def counts(values):
    """Step counts of the seeds: '10,000', or 'low-high' when they differ."""
    if not values:
        return "n/a"
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"


def curve_end(run):
    """How the run's FID curve ended: 'falling' when the best FID over the last quarter
    of its measurements is more than ``QualityProbe.FLAT`` below the best over the third
    quarter (the model cards' rule, zoo.probe.QualityProbe.trend), else 'flat'; 'diverged' for
    a run that stopped on non-finite samples, 'short' under four measurements."""
    if run["final"] and run["final"].get("diverged"):
        return "diverged"
    trend = QualityProbe.trend(run["measured"], "fid", "<=")
    if trend is None:
        return "short"
    before, last = trend
    return "falling" if (before - last) / before > QualityProbe.FLAT else "flat"


def compare(study, better, worse):
    """'yes' when every seed of ``better`` beats every seed of ``worse`` (lower is
    better), 'no' when every seed of ``worse`` beats ``better``, else 'undecided';
    'undecided' too unless both sides have every seed."""
    if len(better) < len(study.seeds) or len(worse) < len(study.seeds):
        return "undecided"
    if max(better) < min(worse):
        return "yes"
    if max(worse) < min(better):
        return "no"
    return "undecided"


def verdict(answers):
    if answers and all(a == "yes" for a in answers):
        return "supported"
    if any(a == "no" for a in answers):
        return "not supported"
    return "undecided"


def load_runs(study, seeds):
    runs = {}
    for objective, generator in CONFIGS:
        for seed in seeds:
            folder = Path(study.runs) / run_name(objective, generator, seed)
            rows = read_rows(folder / "trace.jsonl", "step")
            if rows:
                path = folder / "final.json"
                final = json.loads(path.read_text()) if path.exists() else None
                # A finished run training on to a larger budget is reported at the budget
                # it finished; its curve shows everything recorded.
                upto = final["step"] if final else float("inf")
                runs[(objective, generator, int(seed))] = {
                    "rows": rows, "folder": folder, "final": final,
                    "measured": [r for r in rows if "fid" in r and r["step"] <= upto]}
    return runs


def found_seeds(study):
    """Every seed with a run in the runs folder: ``--seeds`` and any extra ones (run with
    ``--seeds``) that only the collapse counts read."""
    found = {p.name.rsplit("-seed", 1)[-1] for p in Path(study.runs).glob("*-seed*")}
    return list(study.seeds) + sorted((s for s in found if s.isdigit() and s not in study.seeds),
                                key=int)


def collapses(every):
    """``{(objective, generator): (collapsed seeds, finished seeds)}`` over the finished runs
    ``every`` (all seeds found): a run has collapsed when its final samples cover fewer than
    ``COLLAPSED`` of the 1000 modes."""
    table = {}
    for objective, generator in CONFIGS:
        seeds = sorted(s for o, g, s in every if (o, g) == (objective, generator))
        finals = {s: every[(objective, generator, s)]["final"] for s in seeds}
        if seeds:
            table[(objective, generator)] = (
                [s for s in seeds if finals[s].get("diverged") or finals[s]["modes"] < COLLAPSED],
                seeds)
    return table


def shipped_curves():
    """``{preset: rows}``: the measurements of each shipped checkpoint in ``SHIPPED`` that
    logged both the critic's estimate (the epoch's mean) and the FID (n = 2,000, G's own
    weights), from its ``metadata.json`` (``$ZOO_CHECKPOINTS`` first, as ``zoo.load``).
    A run continued against a fresh critic (``--fresh_critic``), there or earlier in its
    chain of continuations, is read up to the first swap: one critic's estimates, on one
    scale."""
    curves = {}
    for name in SHIPPED:
        folder = registry.local_folder(name)
        if folder is None:
            continue
        training = checkpoint.read_metadata(folder)["training"]
        swap, end = training.get("continued_from"), float("inf")
        while swap:  # back along the chain of continuations to the first fresh critic
            end = swap["train_steps"] if swap.get("fresh_critic") else end
            swap = swap.get("earlier")
        rows = [r for r in training.get("curve", []) if "wasserstein" in r
                and "fid" in r and r.get("train_steps", 0) <= end]
        if rows:
            curves[name] = rows
    return curves


def plots(runs, out, shipped):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), sharey=True)
    for ax, generator in zip(axes, GENERATORS):
        for (objective, g, seed), run in sorted(runs.items()):
            if g == generator and run["measured"]:
                ax.plot([r["g_steps"] for r in run["measured"]],
                        [r["fid"] for r in run["measured"]], label=f"{objective} seed {seed}")
        ax.set(title=f"generator: {generator}", xlabel="generator updates", yscale="log")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("domain FID (log)")
    fig.tight_layout()
    files.write_atomically(out / "curves.png", lambda f: fig.savefig(f, dpi=80, format="png"))
    plt.close(fig)

    # One panel per Wasserstein objective: clipping's estimates are ~100x below WGAN-GP's.
    fig, axes = plt.subplots(1, 4, figsize=(21, 4))
    panels = {"wgan": axes[0], "wgan-gp": axes[1], "gan": axes[2]}
    for (objective, g, seed), run in sorted(runs.items()):
        rows = run["measured"]
        if objective in panels:
            key = "d_loss" if objective == "gan" else "wasserstein"
            panels[objective].scatter([r[key] for r in rows], [r["fid"] for r in rows], s=8,
                                      label=f"{g} {seed}")
    for name, rows in shipped.items():
        axes[3].scatter([r["wasserstein"] for r in rows], [r["fid"] for r in rows], s=8,
                        label=name)
    for ax, xlabel, title in (
            (axes[0], "critic's Wasserstein estimate", "WGAN (clipping)"),
            (axes[1], "critic's Wasserstein estimate", "WGAN-GP"),
            (axes[2], "GAN discriminator loss", "GAN (the paper's contrast)"),
            (axes[3], "critic's Wasserstein estimate", "the shipped checkpoints' runs (width 64)")):
        xs = [x for c in ax.collections for x, _ in c.get_offsets()]
        ax.set(xlabel=xlabel, ylabel="domain FID", yscale="log", title=title,
               xscale="log" if xs and min(xs) > 0 else "linear")
        ax.legend(fontsize=6)
    fig.tight_layout()
    files.write_atomically(out / "loss_vs_fid.png", lambda f: fig.savefig(f, dpi=80, format="png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for (objective, g, seed), run in sorted(runs.items()):
        rows = [r for r in run["measured"] if "grad_wasserstein" in r or "grad_saturating" in r]
        if g != "dcgan" or not rows:
            continue
        for key, style in (("grad_saturating", "-"), ("grad_non_saturating", "--"),
                           ("grad_wasserstein", ":")):
            if key in rows[0]:
                ax.plot([r["g_steps"] for r in rows], [max(r[key], 1e-12) for r in rows], style,
                        label=f"{objective} seed {seed}: {key[5:]}")
    ax.set(xlabel="generator updates", ylabel="||grad of G's loss wrt G's weights||",
           yscale="log", title="Generator gradient norms (DCGAN generator)")
    ax.legend(fontsize=6)
    fig.tight_layout()
    files.write_atomically(out / "gradients.png", lambda f: fig.savefig(f, dpi=80, format="png"))
    plt.close(fig)


def correlation(rows, key):
    """Spearman's rho of ``key`` with the FID over ``rows`` (nan when undefined)."""
    from scipy import stats

    if len(rows) < 3:
        return float("nan")
    return float(stats.spearmanr([r[key] for r in rows], [r["fid"] for r in rows])[0])


def per_doubling(run):
    """The FID's change over the run's last doubling of generator updates (last measurement
    against the one at half its budget), e.g. -0.25; None without that measurement."""
    rows = run["measured"]
    if not rows or rows[-1]["g_steps"] % 2:
        return None
    half = [r["fid"] for r in rows if r["g_steps"] == rows[-1]["g_steps"] // 2]
    return rows[-1]["fid"] / half[0] - 1 if half else None


def at_budget(done, g_steps):
    """The finished runs as if each had stopped at ``g_steps`` generator updates: its
    measurements up to there, the last one standing for ``final.json`` (its modes on the
    2,000 samples of the FID). None unless every run was measured there (a run that
    diverged before stays diverged)."""
    view = {}
    for key, run in done.items():
        rows = [r for r in run["measured"] if r["g_steps"] <= g_steps]
        if run["final"].get("diverged") and (not rows or rows[-1]["g_steps"] < g_steps):
            view[key] = {**run, "measured": rows}
        elif rows and rows[-1]["g_steps"] == g_steps:
            last = rows[-1]
            view[key] = {**run, "measured": rows, "final": {
                "fid": last["fid"], "modes": last["modes"], "kl": last["kl"],
                "step": last["step"], "g_steps": g_steps}}
        else:
            return None
    return view


def values(study, done, objective, generator, pick):
    """``pick(run)`` for each finished seed of a configuration."""
    return [pick(done[(objective, generator, int(s))]) for s in study.seeds
            if (objective, generator, int(s)) in done]


def decide(study, done):
    """Every claim's answers and verdict from the finished runs ``done``:
    ``{claim: (verdict, answers)}``, answers as the report's tables show them."""

    def versus(objective, generator, pick):
        """compare() of ``objective`` with the GAN, same generator: undecided unless every
        finished run on both sides stopped at the same number of generator updates."""
        budgets = {r["final"]["g_steps"] for (o, g, _), r in done.items()
                   if g == generator and o in (objective, "gan")}
        if len(budgets) > 1:
            return "undecided"
        return compare(study, values(study, done, objective, generator, pick),
                       values(study, done, "gan", generator, pick))

    def fewer(run):  # compare() ranks lower as better
        return -run["final"]["modes"]

    wasserstein = ("wgan", "wgan-gp")
    claim1 = {g: [versus(w, g, last_fid) for w in wasserstein] for g in GENERATORS}
    claim2 = {g: [versus(w, g, fewer) for w in wasserstein] for g in GENERATORS}

    claim3 = {}  # run -> (loss, rho with the FID, rho with the FID of the unclipped output)
    for (objective, generator, seed), run in sorted(done.items()):
        if objective != "gan-minimax":
            key = "d_loss" if objective == "gan" else "wasserstein"
            rows = [r for r in run["measured"] if "fid_unclipped" in r]
            unclipped = correlation([{**r, "fid": r["fid_unclipped"]} for r in rows], key)
            claim3[(objective, generator, seed)] = (
                key, correlation(run["measured"], key), unclipped if rows else None)
    rhos = [rho for key, rho, _ in claim3.values() if key == "wasserstein"]
    finite = [r for r in rhos if not np.isnan(r)]
    if finite and statistics.median(finite) < 0.3:
        verdict3 = "not supported"
    elif len(finite) == 2 * len(GENERATORS) * len(study.seeds) and min(finite) >= 0.7:
        verdict3 = "supported"
    else:
        verdict3 = "undecided"

    vanishing = {}  # run -> (ratios where D is confident, ratios elsewhere)
    for (objective, generator, seed), run in sorted(done.items()):
        if generator == "dcgan" and objective.startswith("gan"):
            ratios = [(r["d_fake"] < 0.05,
                       r["grad_saturating"] / max(r["grad_non_saturating"], 1e-30))
                      for r in run["measured"]]
            vanishing[(objective, generator, seed)] = (
                [q for c, q in ratios if c], [q for c, q in ratios if not c])
    answers4 = ["yes" if max(confident) < 0.1 else "no"
                for confident, _ in vanishing.values() if confident]
    weaker = [a for g in GENERATORS if g != "dcgan" for a in claim1[g]]
    return {"claim 1": (verdict(weaker), claim1),
            "claim 2": (verdict([a for row in claim2.values() for a in row]), claim2),
            "claim 3": (verdict3, claim3),
            "vanishing gradient": (verdict(answers4), vanishing)}


def last_fid(run):  # every FID in the report is on 2,000 samples
    return run["measured"][-1]["fid"] if not run["final"].get("diverged") else float("inf")


def copy_records(runs, out):
    """Each run's records and final sample grid beside the report (``<out>/records/<run>/``),
    so the report can be written again from the repository (``--report --runs
    <out>/records``), and a finished run need not train again where its runs folder was
    lost (copy them into it)."""
    for run in runs.values():
        folder = out / "records" / run["folder"].name
        if folder.resolve() == run["folder"].resolve():
            continue
        for name in ("trace.jsonl", "final.json", "samples.png"):
            source = run["folder"] / name
            if source.exists():
                files.write_atomically(folder / name, lambda f, s=source: f.write(s.read_bytes()))


def report(study, out, real):
    every = load_runs(study, found_seeds(study))  # with any extra seeds, which only the collapse counts read
    runs = {(o, g, s): r for (o, g, s), r in every.items() if s in map(int, study.seeds)}
    done = {k: r for k, r in runs.items() if r["final"] is not None}
    expected = len(CONFIGS) * len(study.seeds)
    budgets = sorted({r["final"]["g_steps"] for r in done.values()})
    budget = counts(budgets)  # the runs', not the flag's
    decided = decide(study, done)

    lines = [
        "# WGAN's claims, tested as the paper tested them", "",
        "Written by `python studies/wgan_claims.py --report` from the runs' records "
        "(`<runs>/<run>/trace.jsonl`, `final.json`, copied to `records/` beside this "
        "report: `--report --runs <this folder>/records` writes it again); the module "
        "docstring has the commands. Stacked MNIST (1000 modes), batch 64, DCGAN networks "
        f"of width {study.width}, {budget} generator updates per finished run, seeds "
        f"{', '.join(study.seeds)}. **{len(done)} of {expected} runs finished**; unfinished "
        "runs appear in the curves, not in the tables or verdicts, and a finished run "
        "training on to a larger budget is tabled at the budget it finished.", "",
        f"Real Stacked MNIST: {real['n']:,} images cover {real['modes']} modes (KL to uniform "
        f"{real['kl']:.3f}); {real['eval_n']:,} real images against the {real['eval_n']:,} the "
        f"FIDs use score {real['fid']:.2f} (the floor). FIDs below are on {real['eval_n']:,} "
        f"samples; modes and KL on {real['n']:,}.", "",
        "Values are the mean ± half-range over seeds. A comparison is decided only when every "
        "seed of both sides has finished, at the same number of generator updates, and the "
        "seeds do not overlap (every seed of one "
        "better than every seed of the other); a claim is *supported* when every comparison "
        "it rests on is decided in its favour, *not supported* when one is decided against "
        "it, and *undecided* otherwise. A diverged run (samples not finite) counts as FID "
        "infinity and 0 modes.", "",
        "| objective | generator | G updates | D/critic updates | final FID | best FID | "
        "modes (of 1000) | KL to uniform | FID curve at the end (change over the last "
        "doubling) |",
        "|---|---|---|---|---|---|---|---|---|"]
    falling = []
    for objective, generator in CONFIGS:
        steps = [counts(values(study, done, objective, generator,
                               lambda r, k=k: r["final"][k])) for k in ("g_steps", "step")]
        cells = [values(study, done, objective, generator, pick) for pick in (
            last_fid, lambda r: min([x["fid"] for x in r["measured"]], default=float("inf")),
            lambda r: r["final"]["modes"], lambda r: r["final"]["kl"])]
        ends = values(study, done, objective, generator, curve_end)
        changes = values(study, done, objective, generator, per_doubling)
        falling += [f"{objective} {generator}"] * ends.count("falling")
        end = ", ".join(e + (f" ({c:+.0%})" if c is not None else "")
                        for e, c in zip(ends, changes)) or "n/a"
        lines.append(f"| {objective} | {generator} | " + " | ".join(steps) + " | "
                     + " | ".join(map(spread, cells)) + f" | {end} |")
    lines += ["", f"A curve is *flat* when the best FID over the last quarter of a run's "
              f"measurements is at most {QualityProbe.FLAT:.0%} below the best over the "
              "third quarter, "
              "*falling* otherwise (one entry per seed). A curve that falls as a power of "
              "the budget (FID ~ t^-a) is *falling* by this rule at every budget as long as "
              "it loses more than 12% per doubling (a > 0.18): only a floor in sight "
              "flattens it. "
              + (f"**{len(falling)} of {len(done)} finished runs were still falling** "
                 f"({', '.join(sorted(set(falling)))}): the verdicts below are for "
                 f"{budget} generator updates and may change with a larger "
                 "`--g_steps` (a finished run trains on from its state); the last section "
                 "shows how they moved with the budget so far." if falling else
                 "Every finished run's curve had flattened.")]

    verdict1, claim1 = decided["claim 1"]
    lines += ["", "## Claim 1: no careful balancing; WGAN trains where the GAN fails", "",
              "The paper's test (figures 5-7): weaker generators, the same critic. Does each "
              "Wasserstein objective end at a lower FID than the GAN with the same generator?",
              "", "| generator | WGAN < GAN | WGAN-GP < GAN |", "|---|---|---|"]
    lines += [f"| {g} | {row[0]} | {row[1]} |" for g, row in claim1.items()]
    lines += ["", f"**Claim 1: {verdict1}** (decided on the weaker generators, "
              "`dcgan-nobn` and `mlp`; the `dcgan` row is the paper's baseline, where both "
              "train).", "",
              f"The paper shows the GAN failing as collapse. Read that way: runs whose final "
              f"samples cover fewer than {COLLAPSED} of the 1000 modes (a threshold fixed while "
              "the Wasserstein runs with the weaker generators were still training), over every "
              "finished seed in the runs folder, extra seeds included (shown beside the "
              "verdict, not in it):", "",
              "| objective | generator | collapsed runs | seeds |", "|---|---|---|---|"]
    for (objective, generator), (collapsed, finished) in collapses(
            {k: r for k, r in every.items() if r["final"] is not None}).items():
        lines.append(f"| {objective} | {generator} | {len(collapsed)} of {len(finished)} | "
                     + ", ".join(f"**{s}**" if s in collapsed else str(s) for s in finished)
                     + " |")
    lines += ["", "(Collapsed seeds in bold.)", ""]

    verdict2, claim2 = decided["claim 2"]
    lines += ["## Claim 2: no mode collapse", "",
              "Modes covered by the final samples (more is better). Does each Wasserstein "
              "objective cover more modes than the GAN with the same generator?", "",
              "| generator | WGAN > GAN | WGAN-GP > GAN |", "|---|---|---|"]
    lines += [f"| {g} | {row[0]} | {row[1]} |" for g, row in claim2.items()]
    lines += ["", f"**Claim 2: {verdict2}**", "", "![FID curves](curves.png)", ""]

    verdict3, claim3 = decided["claim 3"]
    lines += ["## Claim 3: a loss that tracks quality", "",
              "Spearman correlation, over each run's measurements, of the critic's "
              "Wasserstein estimate with the FID (the paper's figures 3-4: it falls as quality "
              "improves), next to the GAN discriminator's loss (its contrast). *Supported* "
              "when every WGAN and WGAN-GP run has finished with rho >= 0.7, *not supported* "
              "when the median rho of the finished ones is below 0.3; a run whose rho is "
              "undefined (a constant series, fewer than 3 measurements) leaves it undecided. "
              "The critic is trained on G's output as it is, the FID is of the samples, "
              "clipped to [-1, 1]: the column after rho is the share of G's output outside "
              "that range at the last measurement (0 under a tanh; the MLP's output is "
              "linear), a distance the critic's estimate includes and the FID does not see. "
              "The last column, for the MLP, correlates the loss with the FID of that "
              "output unclipped, as the critic sees it (shown, not used in the verdict).",
              "", "| run | loss | measurements | rho(loss, FID) | G output outside [-1, 1] | "
              "rho(loss, FID unclipped) |", "|---|---|---|---|---|---|"]
    for (objective, generator, seed), (key, rho, unclipped) in claim3.items():
        run = done[(objective, generator, seed)]
        last = run["measured"][-1] if run["measured"] else {}
        share = f"{last['outside']:.0%}" if "outside" in last else "n/a"
        lines.append(f"| {objective} {generator} seed {seed} | "
                     f"{'D loss' if key == 'd_loss' else 'W estimate'} | "
                     f"{len(run['measured'])} | {rho:.2f} | {share} | "
                     + (f"{unclipped:.2f} |" if unclipped is not None else "n/a |"))
    shipped = shipped_curves()
    if shipped:
        lines += ["", "The zoo's shipped Wasserstein checkpoints logged both over their much "
                  "longer runs (28x28, critic width 64, each preset's recipe; the estimate is "
                  "the epoch's mean, the FID of G's own weights on 2,000 samples of their own "
                  "domain), shown beside the verdict, not in it:", "",
                  "| shipped run | generator updates | measurements | rho(W estimate, FID) |",
                  "|---|---|---|---|"]
        lines += [f"| {name} | {rows[0]['generator_steps']:,}-{rows[-1]['generator_steps']:,} "
                  f"| {len(rows)} | {correlation(rows, 'wasserstein'):.2f} |"
                  for name, rows in shipped.items()]
    lines += ["", f"**Claim 3: {verdict3}**", "", "![loss against FID](loss_vs_fid.png)", ""]

    verdict4, vanishing = decided["vanishing gradient"]
    lines += ["## The vanishing gradient", "",
              "The generator's gradient norm (weights) under the current D, on a log scale, "
              "for the saturating loss log(1 - D(G(z))) and the non-saturating -log D(G(z)), "
              "measured on the same fakes and the same D in every GAN run, and -f(G(z)) in the "
              "critics' runs. *Vanishes* when, at every measurement where D is confident "
              "(mean D(G(z)) < 0.05), the saturating norm is below a tenth of the "
              "non-saturating one, in every finished GAN run with the DCGAN generator that "
              "has such measurements.", "",
              "| run | measurements with D confident | median saturating / non-saturating "
              "there | median saturating / non-saturating elsewhere |", "|---|---|---|---|"]
    for (objective, generator, seed), (confident, other) in vanishing.items():
        lines.append(f"| {objective} seed {seed} | {len(confident)} of "
                     f"{len(confident) + len(other)} | "
                     f"{statistics.median(confident) if confident else float('nan'):.3g} | "
                     f"{statistics.median(other) if other else float('nan'):.3g} |")
    lines += ["", f"**The saturating loss's gradient vanishes where D is confident: "
              f"{verdict4}**", "", "![gradient norms](gradients.png)", ""]

    lines += moving_verdicts(study, done, budgets)
    lines += ["## Samples (seed 0, the end of each run)", ""]
    for objective, generator in CONFIGS:
        grid = Path(study.runs) / run_name(objective, generator, study.seeds[0]) / "samples.png"
        name = f"samples/{objective}-{generator}.png"
        if grid.exists():
            files.write_atomically(out / name, lambda f, grid=grid: f.write(grid.read_bytes()))
        if grid.exists() or (out / name).exists():  # written again from the records
            lines.append(f"- {objective}, {generator}: ![{objective} {generator}]({name})")
    if runs:
        plots(runs, out, shipped)
        copy_records(every, out)
    files.write_text(out / "REPORT.md", "\n".join(lines) + "\n")
    print(f"wrote {out / 'REPORT.md'}: {len(done)} of {expected} runs finished")
    return {**{claim: v for claim, (v, _) in decided.items()}, "still falling": len(falling)}


def moving_verdicts(study, done, budgets):
    """The report's section on how each verdict moved with the budget: the verdicts at
    a quarter, half and all of the finished runs' budget, from their measurements."""
    if len(budgets) != 1 or len(done) < len(CONFIGS) * len(study.seeds):
        return []
    total = budgets[0]
    views = {g: at_budget(done, g) for g in (total // 4, total // 2, total) if g}
    views = {g: view for g, view in views.items() if view is not None}
    if len(views) < 2:
        return []
    decided = {g: decide(study, view) for g, view in views.items()}
    lines = ["## How the verdicts moved with the budget", "",
             "Each verdict again, as if every run had stopped at fewer generator updates: "
             "the same rules on the measurements up to there (FIDs, and here modes too, "
             "on the 2,000 samples of each measurement, so the last column can differ from "
             "the verdicts above, which count modes on 10,000). A verdict that held over "
             "the last doubling is the budget's least likely to move with more of it.", "",
             "| claim | " + " | ".join(f"{g:,} G updates" for g in views) + " |",
             "|---|" + "---|" * len(views)]
    for claim in ("claim 1", "claim 2", "claim 3", "vanishing gradient"):
        lines.append(f"| {claim} | " + " | ".join(decided[g][claim][0] for g in views) + " |")
    return lines + [""]
