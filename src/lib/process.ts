/**
 * Values that must exist once per server process although the process runs several
 * builds of the portal: a publish loads a new build beside the one serving (each build
 * bundles its own copy of src/lib, this module included) and the old one finishes its
 * requests. The content folder's lock and the publisher are kept on globalThis
 * under a registered symbol, so every copy finds the same one, as src/lib/db.ts keeps
 * the database handle and its write queue.
 */
const slot = (name: string) => Symbol.for(`nmsn.${name}`);
const store = globalThis as unknown as Record<symbol, unknown>;

/** The process's one value of `name`, created on first use. */
export function perProcess<T>(name: string, create: () => T): T {
  const key = slot(name);
  if (!(key in store)) store[key] = create();
  return store[key] as T;
}

/** Sets the process's value of `name` (the server hands its database to every build this way). */
export function providePerProcess<T>(name: string, value: T): void {
  store[slot(name)] = value;
}

/** The value, if the server provided one. */
export function perProcessValue<T>(name: string): T | undefined {
  return store[slot(name)] as T | undefined;
}
