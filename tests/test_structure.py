"""The house's layering, read from the code's own imports: the models import nothing
from the layers above them (Hub, registry, training, evaluation, checkpoints), and no
two zoo modules import each other in a loop."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ABOVE_THE_MODELS = {"zoo.hub", "zoo.registry", "zoo.train", "zoo.evaluation", "zoo.checkpoint",
                    "zoo.demo", "zoo.__main__", "zoo.data", "zoo.tf_data"}


def zoo_imports(path):
    """The zoo modules ``path`` imports, anywhere in it (inside functions too)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zoo"):
            # ``from zoo.backends import jax_step`` imports the module zoo.backends.jax_step
            out |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES
                    else node.module for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("zoo")}
    return out


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in (ROOT / "zoo").rglob("*.py")}


def test_the_models_import_nothing_from_the_layers_above_them():
    for name, path in MODULES.items():
        if name.startswith("zoo.models"):
            assert not zoo_imports(path) & ABOVE_THE_MODELS, (name, zoo_imports(path))


def test_no_zoo_modules_import_each_other_in_a_loop():
    graph = {name: {m for m in zoo_imports(path) if m in MODULES and m != "zoo"}
             for name, path in MODULES.items() if name != "zoo"}

    def reaches(start, target, seen):
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    loops = sorted(name for name in graph if reaches(name, name, {name}))
    assert not loops, f"modules on an import loop: {loops}"
