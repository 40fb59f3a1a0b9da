#!/usr/bin/env python3
"""Fails when two modules of one crate import each other (directly or round a loop).

Reads every `crate::…`, `super::…` and `self::…` path, and every path through a module's own
child (`login::…` in staff/mod.rs), in src/, each crates/*/src/ and desk/src/; maps it to
the module it names, and looks for cycles between modules. A child naming its own parent
(`super::Item` in outbox/policy.rs) is not counted: the parent declares the child, which
is how Rust modules nest, not a dependency loop. A parent using its child is counted, so a
loop that passes through a parent's function (a router that mounts a child's routes) is
found.
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
        children = {m[-1] for m in modules if len(m) == len(module) + 1 and m[:-1] == module}
        for match in re.finditer(r"(?<![\w:])(\w+)((?:::\w+)+)", text):
            head, rest = match.group(1), match.group(2).split("::")[1:]
            if head == "crate":
                base = ()
            elif head == "super":
                base = module[:-1]
            elif head == "self":
                base = module
            elif head in children:
                base, rest = module, [head] + rest
            else:
                continue
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
roots = ["src", *sorted(str(p) for p in pathlib.Path("crates").glob("*/src")), "desk/src"]
for root in roots:
    edges = graph(pathlib.Path(root))
    for scc in cycles(edges):
        found.append(f"{root}: " + " ↔ ".join("::".join(m) for m in sorted(scc)))
    print(f"{root}: {len(edges)} modules, {sum(map(len, edges.values()))} imports between them, {len(cycles(edges))} cycles")
for line in found:
    print("import cycle:", line)
sys.exit(1 if found else 0)
