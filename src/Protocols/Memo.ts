/**
 * Compile-once caches. Codecs compile an encoder or decoder per shape, and a plan per operation,
 * the first time they meet it; later calls reuse it. Keys are the model objects themselves
 * (`WeakMap`), so a model that is no longer used takes its compiled code with it.
 *
 * @since 0.1.0
 */

/**
 * Caches a compiler of functions by key. The cache entry exists before `build` runs (as a
 * forwarder to the finished function), so a recursive shape compiles once: its recursive
 * references find the entry instead of compiling again forever.
 */
export const memoizeCompiler = <K extends object, A extends ReadonlyArray<unknown>, R>(
  build: (key: K) => (...args: A) => R
): ((key: K) => (...args: A) => R) => {
  const cache = new WeakMap<K, (...args: A) => R>()
  return (key) => {
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    let compiled: ((...args: A) => R) | undefined
    cache.set(key, (...args) => compiled!(...args))
    compiled = build(key)
    cache.set(key, compiled)
    return compiled
  }
}

/**
 * `memoizeCompiler` for one-argument functions (the codecs' readers). A recursive shape's inner
 * references keep the forwarder for good, so it matters on deep data (DynamoDB's AttributeValue):
 * a one-argument forwarder is a plain call, where the rest-parameter one allocates an array each
 * time.
 */
export const memoizeReader = <K extends object, A, R>(
  build: (key: K) => (a: A) => R
): ((key: K) => (a: A) => R) => {
  const cache = new WeakMap<K, (a: A) => R>()
  return (key) => {
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    let compiled: ((a: A) => R) | undefined
    cache.set(key, (a) => compiled!(a))
    compiled = build(key)
    cache.set(key, compiled)
    return compiled
  }
}

/** Caches a value computed from a key object (an operation's compiled plan, say). */
export const memoize = <K extends object, V>(build: (key: K) => V): ((key: K) => V) => {
  const cache = new WeakMap<K, V>()
  return (key) => {
    let value = cache.get(key)
    if (value === undefined) {
      value = build(key)
      cache.set(key, value)
    }
    return value
  }
}
