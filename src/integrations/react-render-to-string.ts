import type { AstroIntegration } from 'astro';
import { patchBundledModule } from './patch-bundled-module.ts';

/** How @astrojs/react 7 renders an island on the server when it streams (React 19's web-stream API). */
const STREAMED_RENDER = `} else if ("renderToReadableStream" in ReactDOM) {\n    html = await renderToReadableStreamAsync(vnode, renderOptions);`;
/** The renderer's server module, as Vite names it (forward slashes on every platform). */
const REACT_SERVER_MODULE = /\/@astrojs\/react\/dist\/server\.js$/;

/**
 * @astrojs/react renders each island on the server with `renderToReadableStream` and reads
 * the web stream back into a string, chunk by chunk through a TextDecoder. For the thread
 * page's reply box that costs about twice React's `renderToString` with the same
 * `identifierPrefix`, whose output is the same (our islands use no Suspense, which
 * `renderToString` cannot wait for). Its own `experimentalDisableStreaming` uses
 * `renderToString` without the prefix, which changes `useId` values and breaks hydration.
 * So this changes the renderer's one call as the build bundles it: `renderToString` with
 * the prefix, except when React is given an Action's form state (progressive enhancement of
 * React forms, which only the streaming renderers accept). Decision 037.
 *
 * If a new @astrojs/react changes that code, the build stops here with a message, rather
 * than quietly going back to streaming.
 */
export function reactRenderToString(): AstroIntegration {
  return patchBundledModule({
    name: 'nmsn:react-render-to-string',
    source: 'src/integrations/react-render-to-string.ts',
    module: REACT_SERVER_MODULE,
    find: STREAMED_RENDER,
    replace: [
      '} else if (!renderOptions.formState) {',
      '    html = ReactDOM.renderToString(vnode, { identifierPrefix: renderOptions.identifierPrefix });',
      `  ${STREAMED_RENDER}`,
    ].join('\n'),
  });
}
