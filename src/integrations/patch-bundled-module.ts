import type { AstroIntegration } from 'astro';

export interface ModulePatch {
  /** The integration's name, and the file that asks for the patch (named in the build's error). */
  name: string;
  source: string;
  /** The dependency's module, as Vite names it (forward slashes on every platform). */
  module: RegExp;
  /** The exact code replaced, once; the build stops if the module no longer has it. */
  find: string;
  replace: string;
}

/**
 * Changes one piece of a dependency's code as the build bundles it: how
 * csp-digests-once.ts and react-render-to-string.ts take work off every request where the
 * dependency has no setting for it. If a new version no longer has the code, the build
 * stops with a message naming the file to update, rather than quietly going without.
 */
export function patchBundledModule({ name, source, module, find, replace }: ModulePatch): AstroIntegration {
  return {
    name,
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            plugins: [
              {
                name,
                transform(code, id) {
                  if (!module.test(id.split('?', 1)[0]!)) return null;
                  if (!code.includes(find)) throw new Error(`${source}: ${id} no longer has "${find}"; update or remove this integration.`);
                  return { code: code.replace(find, replace), map: null };
                },
              },
            ],
          },
        });
      },
    },
  };
}
