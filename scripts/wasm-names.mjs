// Short names between the wasm and its wasm-bindgen glue.
// wasm-bindgen names every import after its JS function plus a 16-digit hash
// (`__wbg_appendChild_dbf7ad2f48413560`) and every closure export after its Rust hash.
// Each name is written twice, once in the wasm and once in the glue, and the hashes do not
// compress: about 215 imports cost ~5.9 KB brotli on the residents' phones. Emscripten
// shortens them the same way (`--minify-imports-and-exports`). Nothing else sees these
// names: the glue is the only caller of the wasm's exports and the only provider of its
// imports, so the two are renamed together, and the rename fails the build if the glue does
// not hold exactly the names the wasm expects. The tools' custom sections go too.
// Exports the glue never calls (`main`, `memory`) keep their names: anything outside the
// glue must use no other.

const encoder = new TextEncoder();
const TOOL_SECTIONS = new Set(['producers', 'target_features', '__wasm_split_unstable']);
const decoder = new TextDecoder();

const readU32 = (bytes, at) => {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
};
const writeU32 = (value) => {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
};
const readName = (bytes, at) => {
  const [length, start] = readU32(bytes, at);
  return [decoder.decode(bytes.subarray(start, start + length)), start + length];
};
const writeName = (name) => {
  const utf8 = encoder.encode(name);
  return [...writeU32(utf8.length), ...utf8];
};
// The end of an import's description: function, table, memory, global or tag.
const skipImportDesc = (bytes, kind, at) => {
  const limits = (p) => {
    const flags = bytes[p];
    [, p] = readU32(bytes, p + 1);
    return flags & 1 ? readU32(bytes, p)[1] : p;
  };
  switch (kind) {
    case 0: return readU32(bytes, at)[1];
    case 1: return limits(at + 1);
    case 2: return limits(at);
    case 3: return at + 2;
    case 4: return readU32(bytes, at + 1)[1];
    default: throw new Error(`wasm-names: unknown import kind ${kind}`);
  }
};

// a, b, …, Z, aa, ab, …: valid JS property names, shortest first.
const shortName = (index) => {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / letters.length)) {
    name = letters[(n - 1) % letters.length] + name;
  }
  return name;
};
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = (text, pattern) => (text.match(pattern) || []).length;

/**
 * Renames the imports the glue provides (its `…_bg.js` module), the import modules, and the
 * exports the glue calls as `wasm.<name>`. Returns the new wasm bytes and glue source.
 * `glue` is wasm-bindgen's unminified output for `--target web`.
 */
export function shortenNames(wasm, glue) {
  if (decoder.decode(wasm.subarray(0, 4)) !== '\0asm') throw new Error('wasm-names: not a wasm module');
  const sections = [];
  let imports = 0;
  const modules = new Map();
  const exports = new Map();
  for (let at = 8; at < wasm.length;) {
    const id = wasm[at];
    const [size, start] = readU32(wasm, at + 1);
    const end = start + size;
    let body = wasm.subarray(start, end);
    // The tools' custom sections: the tools are done with the module by now, and browsers
    // skip them. Others (a name section kept for crash reports, say) stay.
    if (id === 0 && TOOL_SECTIONS.has(readName(body, 0)[0])) {
      at = end;
      continue;
    }
    if (id === 2) {
      const [n, first] = readU32(body, 0);
      const out = writeU32(n);
      for (let i = 0, p = first; i < n; i++) {
        let module, field;
        [module, p] = readName(body, p);
        [field, p] = readName(body, p);
        const kind = body[p];
        const descEnd = skipImportDesc(body, kind, p + 1);
        const desc = body.subarray(p, descEnd);
        p = descEnd;
        if (module.endsWith('_bg.js')) {
          // In the glue's import object once: `    <field>: function(`.
          const key = new RegExp(`^(\\s+)${escape(field)}(: function\\()`, 'm');
          if (count(glue, new RegExp(key.source, 'gm')) !== 1) {
            throw new Error(`wasm-names: the glue does not provide import ${field} exactly once`);
          }
          const short = shortName(imports++);
          glue = glue.replace(key, (_, indent, rest) => indent + short + rest);
          field = short;
        }
        if (!modules.has(module)) modules.set(module, String(modules.size));
        out.push(...writeName(modules.get(module)), ...writeName(field), ...desc);
      }
      body = Uint8Array.from(out);
    } else if (id === 7) {
      const [n, first] = readU32(body, 0);
      const out = writeU32(n);
      for (let i = 0, p = first; i < n; i++) {
        let name;
        [name, p] = readName(body, p);
        const descEnd = readU32(body, p + 1)[1];
        const desc = body.subarray(p, descEnd);
        p = descEnd;
        const calls = new RegExp(`\\bwasm\\.${escape(name)}\\b`, 'g');
        if (name !== 'memory' && count(glue, calls) > 0) {
          const short = '$' + shortName(exports.size);
          exports.set(name, short);
          glue = glue.replace(calls, `wasm.${short}`);
          name = short;
        }
        out.push(...writeName(name), ...desc);
      }
      body = Uint8Array.from(out);
    }
    sections.push(Uint8Array.of(id, ...writeU32(body.length)), body);
    at = end;
  }
  // The import object's modules: `"<module>": importN,`.
  for (const [module, short] of modules) {
    const key = new RegExp(`^(\\s+)"${escape(module)}"(: import\\d+,)$`, 'gm');
    if (count(glue, key) < 1) throw new Error(`wasm-names: the glue does not provide module ${module}`);
    glue = glue.replace(key, (_, indent, rest) => `${indent}"${short}"${rest}`);
  }
  const total = sections.reduce((sum, s) => sum + s.length, 8);
  const out = new Uint8Array(total);
  out.set(wasm.subarray(0, 8));
  let offset = 8;
  for (const section of sections) {
    out.set(section, offset);
    offset += section.length;
  }
  return { wasm: out, glue, renamed: imports + exports.size };
}
