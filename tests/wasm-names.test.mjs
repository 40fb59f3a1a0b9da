// scripts/wasm-names.mjs: the wasm and its glue renamed together still link and run, and a
// glue that does not provide what the wasm imports fails the build instead of the phone.
// (Every e2e test runs the renamed release build; this pins the rules on a small module.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { shortenNames } from '../scripts/wasm-names.mjs';

const IMPORT = '__wbg_answer_0123456789abcdef';
const EXPORT = 'wasm_bindgen__convert__closures_____invoke__h0123456789abcdef';

const bytes = (text) => [...new TextEncoder().encode(text)];
const name = (text) => [bytes(text).length, ...bytes(text)];
const section = (id, body) => [id, body.length, ...body];
// A module that imports one function from the glue and exports one that calls it.
const module = () => Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 0, 1, 0x7f]),
  ...section(2, [1, ...name('./widget_bg.js'), ...name(IMPORT), 0, 0]),
  ...section(3, [1, 0]),
  ...section(7, [2, ...name(EXPORT), 0, 1, ...name('memory_free'), 0, 1]),
  ...section(10, [1, 4, 0, 0x10, 0, 0x0b]),
  ...section(0, [...name('producers'), 1, 2, 3]),
  ...section(0, [...name('name'), 0]),
]);
// The shape of wasm-bindgen's `--target web` glue.
const glue = (provides = IMPORT) => `function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        ${provides}: function() {
            return 42;
        },
    };
    return {
        __proto__: null,
        "./widget_bg.js": import0,
    };
}
let wasm;
export function start(bytes) {
    wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports()).exports;
}
export function run() {
    return wasm.${EXPORT}();
}
`;

test('renamed together, the wasm and the glue still link and run, with every hashed name and tool section gone', async () => {
  const before = module();
  const { wasm, glue: code, renamed } = shortenNames(before, glue());
  assert.equal(renamed, 2);
  assert.ok(wasm.length < before.length);
  const names = new TextDecoder().decode(wasm);
  assert.ok(!names.includes('0123456789abcdef') && !code.includes('0123456789abcdef'));
  const m = new WebAssembly.Module(wasm);
  assert.deepEqual(WebAssembly.Module.imports(m).map((i) => [i.module, i.name]), [['0', 'a']]);
  // An export the glue never calls keeps its name.
  assert.deepEqual(WebAssembly.Module.exports(m).map((e) => e.name), ['$a', 'memory_free']);
  assert.deepEqual(WebAssembly.Module.customSections(m, 'producers'), []);
  assert.equal(WebAssembly.Module.customSections(m, 'name').length, 1, 'other custom sections stay');
  const dir = mkdtempSync(join(tmpdir(), 'wasm-names-'));
  try {
    writeFileSync(join(dir, 'glue.mjs'), code);
    const glueModule = await import(pathToFileURL(join(dir, 'glue.mjs')));
    glueModule.start(wasm);
    assert.equal(glueModule.run(), 42);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a glue that does not provide an import exactly once fails the build', () => {
  assert.throws(() => shortenNames(module(), glue('__wbg_other_0123456789abcdef')), /does not provide import/);
  const twice = glue().replace('    };\n    return', `        ${IMPORT}: function() {\n            return 1;\n        },\n    };\n    return`);
  assert.throws(() => shortenNames(module(), twice), /exactly once/);
});

test('what is not a wasm module is refused', () => {
  assert.throws(() => shortenNames(new Uint8Array(16), glue()), /not a wasm module/);
});
