/**
 * Marks an island component as React's for Astro's server render. Without the mark, Astro
 * asks each renderer in turn whether a component is theirs, and @astrojs/react answers by
 * rendering the whole component once to a stream and throwing the output away, so every
 * page with a React island rendered it twice (a thread page's reply box: about a fifth of
 * its render). The symbol is the one Astro reads (`Symbol.for('astro:renderer')`, set by
 * its own `__astro_tag_component__`); in the browser the property is simply unused.
 */
export function renderedByReact<T extends object>(component: T): T {
  Object.defineProperty(component, Symbol.for('astro:renderer'), { value: '@astrojs/react' });
  return component;
}
