/**
 * Loads a CommonJS package at its first use instead of at start-up. Synchronous, so a caller
 * keeps its synchronous signature: `const yaml = lazyRequire<typeof import('yaml')>('yaml')`,
 * then `yaml().parse(text)`. For what only some requests or some configurations need; what every
 * request needs is imported as usual.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}
