#!/usr/bin/env python3
"""Fails when two modules of the widget import each other (directly or round a loop).

Reads every `crate::…` and `super::…` path in src/, crates/contract/src/ and desk/src/, maps it to
the module it names, and looks for cycles between modules. A child naming its own parent
(`super::Item` in outbox/policy.rs) is not counted: the parent declares the child, which
is how Rust modules nest, not a dependency loop.
"""
import pathlib, re, sys

def module_of(root: pathlib.Path, path: pathlib.Path) -> tuple:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)

def graph(root: pathlib.Path):
    files = {module_of(root, p): p for p in root.rglob("*.rs")}
    modules = set(files)
    edges = {m: set() for m in modules}
    for module, path in files.items():
        text = path.read_text()
        text = re.sub(r"#\[cfg\(test\)\]\s*mod tests \{.*", "", text, flags=re.S)  # tests may reach anywhere
        for match in re.finditer(r"\b(crate|super)((?:::\w+)+)", text):
            head, rest = match.group(1), match.group(2).split("::")[1:]
            base = () if head == "crate" else (module[:-1] if path.stem not in ("mod",) else module[:-1])
            if head == "super" and path.stem == "mod":
                base = module[:-1]
            target = base + tuple(rest)
            while target and target not in modules:
                target = target[:-1]
            if target and target != module and module[: len(target)] != target:
                edges[module].add(target)
    return edges

def cycles(edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop(); on.discard(w); scc.append(w)
                if w == v: break
            if len(scc) > 1:
                out.append(scc)
    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out

found = []
for root in ["src", "crates/contract/src", "desk/src"]:
    edges = graph(pathlib.Path(root))
    for scc in cycles(edges):
        found.append(f"{root}: " + " ↔ ".join("::".join(m) for m in sorted(scc)))
    print(f"{root}: {len(edges)} modules, {sum(map(len, edges.values()))} imports between them, {len(cycles(edges))} cycles")
for line in found:
    print("import cycle:", line)
sys.exit(1 if found else 0)
