// Compiles contracts/ with solc-js, resolving @openzeppelin/* imports from node_modules.
// All paths are relative to this package's root, so the folder can be moved as a whole.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, 'package.json'));

export const EVM_VERSION = 'cancun';

function solFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solFiles(join(dir, e.name)) : e.name.endsWith('.sol') ? [join(dir, e.name)] : []);
}

/** Import callback: `@openzeppelin/...` (and any other npm package path) from node_modules. */
export function findImport(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch (err) {
    return { error: `cannot resolve import ${path}: ${err.message}` };
  }
}

/**
 * Compiles the given sources (default: every .sol under contracts/).
 * `overrides` maps a source name to replacement text (used for mutation checks).
 * Returns { diagnostics, contracts: { Name: { abi, bytecode } } }.
 */
export function compile({ overrides = {} } = {}) {
  const sources = {};
  for (const file of solFiles(join(ROOT, 'contracts'))) {
    const name = relative(ROOT, file).split('\\').join('/');
    sources[name] = { content: readFileSync(file, 'utf8') };
  }
  for (const [name, content] of Object.entries(overrides)) sources[name] = { content };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const diagnostics = output.errors ?? [];
  const contracts = {};
  for (const [source, byName] of Object.entries(output.contracts ?? {})) {
    if (!source.startsWith('contracts/')) continue;
    for (const [name, c] of Object.entries(byName)) {
      contracts[name] = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
    }
  }
  return { diagnostics, contracts, solcVersion: solc.version() };
}

/** Compiles and throws on ANY diagnostic (errors and warnings alike). */
export function compileStrict(opts) {
  const out = compile(opts);
  if (out.diagnostics.length > 0) {
    throw new Error('solc diagnostics:\n' + out.diagnostics.map((d) => d.formattedMessage).join('\n'));
  }
  return out.contracts;
}
