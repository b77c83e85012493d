/**
 * A consumer project for the packed tarball, pinned to the repository's own
 * package-lock.json: its package.json and a package-lock.json whose entries
 * are copied from the repository's lock (the same versions and integrity
 * hashes), so `npm ci --offline` installs every package from the npm cache
 * that the repository's `npm ci` filled, by integrity, without asking the
 * registry for any metadata.
 */

/** An entry of `packages` in a lockfile v3. */
export interface LockEntry {
  name?: string;
  version: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** The fields of the packed package.json that its lock entry repeats. */
export interface PackedManifest {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface ConsumerOptions {
  /** The repository's package-lock.json. */
  lock: Lockfile;
  /** The package.json inside the tarball. */
  manifest: PackedManifest;
  /** The tarball, relative to the consumer directory (`../minch-0.1.0.tgz`). */
  tarball: string;
  /** Its integrity, as `npm pack --json` reports it. */
  integrity: string;
  /** Top-level packages of the repository's lock to install next to it (`typescript-7` is an alias). */
  packages: readonly string[];
  /** Where tarballs are fetched from when they are not in the cache (never, offline). */
  registry: string;
}

/** Where Node would find `name` from the package at `from` (a lock path such as `node_modules/a`). */
function locate(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    const parent = base.lastIndexOf('/node_modules/');
    if (parent === -1) break;
    base = base.slice(0, parent);
  }
  return lock.packages[`node_modules/${name}`] === undefined ? undefined : `node_modules/${name}`;
}

/** The package's real name: its `name` (aliases) or the end of its lock path. */
function packageName(path: string, entry: LockEntry): string {
  return entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** The consumer's package.json and package-lock.json. */
export function consumerProject(options: ConsumerOptions): { packageJson: object; packageLock: object } {
  const { lock, manifest } = options;
  const picked: Record<string, LockEntry> = {};

  const add = (path: string): void => {
    if (picked[path] !== undefined) return;
    const found = lock.packages[path];
    if (found === undefined) throw new Error(`${path} is not in the repository's package-lock.json`);
    // Dev flags describe the repository, not the consumer, where every package is a dependency.
    const entry: LockEntry = { ...found };
    delete entry.dev;
    delete entry.devOptional;
    delete entry.peer;
    const name = packageName(path, found);
    const registry = options.registry.replace(/\/?$/, '/');
    const resolved = `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    picked[path] = { resolved, ...entry, ...(found.devOptional === true && { optional: true }) };
    const needs: Record<string, boolean> = {};
    for (const dep of Object.keys(entry.dependencies ?? {})) needs[dep] = true;
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) needs[dep] = false;
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      if (entry.peerDependenciesMeta?.[dep]?.optional !== true) needs[dep] = true;
    for (const [dep, required] of Object.entries(needs)) {
      const at = locate(lock, path, dep);
      if (at !== undefined) add(at);
      else if (required) throw new Error(`${path} needs ${dep}, which the repository's lock does not hold`);
    }
  };

  const dependencies: Record<string, string> = { [manifest.name]: `file:${options.tarball}` };
  for (const name of options.packages) {
    const path = `node_modules/${name}`;
    add(path);
    const entry = lock.packages[path] as LockEntry;
    dependencies[name] = entry.name === undefined ? entry.version : `npm:${entry.name}@${entry.version}`;
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) add(`node_modules/${name}`);

  const self: LockEntry = {
    version: manifest.version,
    resolved: `file:${options.tarball}`,
    integrity: options.integrity,
    ...(manifest.license !== undefined && { license: manifest.license }),
    ...(manifest.dependencies !== undefined && { dependencies: manifest.dependencies }),
    ...(manifest.bin !== undefined && { bin: manifest.bin }),
    ...(manifest.engines !== undefined && { engines: manifest.engines }),
    ...(manifest.peerDependencies !== undefined && { peerDependencies: manifest.peerDependencies }),
    ...(manifest.peerDependenciesMeta !== undefined && { peerDependenciesMeta: manifest.peerDependenciesMeta }),
  };
  const name = `${manifest.name}-consumer`;
  return {
    packageJson: { name, private: true, type: 'module', dependencies },
    packageLock: {
      name,
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name, dependencies }, [`node_modules/${manifest.name}`]: self, ...picked },
    },
  };
}
