import { test, expect, createMember } from './fixtures.ts';
import { categories } from '#db/schema.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';

/**
 * Hostile posts rendered by the real pipeline and shown in Chromium: no script runs,
 * no dialog opens, and the page asks nothing of any other host. Payloads try to set
 * window.pwned, open alert(), or load from evil.example.
 */
const payloads = [
  '<script>window.pwned=1</script>',
  '<img src=x onerror="window.pwned=1">',
  '<svg onload="window.pwned=1"></svg>',
  '<svg><script>window.pwned=1</script></svg>',
  '<iframe src="https://evil.example/"></iframe>',
  '<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>',
  '<object data="https://evil.example/x.swf"></object>',
  '<embed src="https://evil.example/x.swf">',
  '<style>@import url(https://evil.example/x.css);</style>',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example/"><button>Go</button></form>',
  '<input autofocus onfocus="window.pwned=1">',
  '<details open ontoggle="window.pwned=1">x</details>',
  '<body onload="window.pwned=1">',
  '<video><source onerror="window.pwned=1"></video>',
  '<audio src=x onerror="window.pwned=1"></audio>',
  '<marquee onstart="window.pwned=1">x</marquee>',
  '<div style="background:url(https://evil.example/x.png)">x</div>',
  '<a href="javascript:window.pwned=1">click</a>',
  '[click](javascript:window.pwned=1)',
  '[click](JaVaScRiPt:window.pwned=1)',
  '[click](  javascript:window.pwned=1)',
  '[click](java\tscript:window.pwned=1)',
  '[click](jav&#x09;ascript:window.pwned=1)',
  '[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.pwned=1)',
  '[click](javascript&colon;window.pwned=1)',
  '[click](data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9MTwvc2NyaXB0Pg==)',
  '[click](vbscript:msgbox(1))',
  '[click](//evil.example/x)',
  '<javascript:window.pwned=1>',
  '![x](https://evil.example/x.png)',
  '![x](javascript:window.pwned=1)',
  '![x](data:image/svg+xml,<svg onload=window.pwned=1>)',
  '[![x](https://evil.example/x.png)](https://example.org)',
  '[ref]: https://evil.example/x.png\n\n![x][ref]',
  '<a id="main">clobber the skip link target</a>',
  '<form name="getElementById"></form>',
  '<img name="cookie" src="https://evil.example/x.png">',
  '<a name="location" href="https://evil.example/">x</a>',
  '<noscript><p title="</noscript><img src=x onerror=window.pwned=1>">',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.pwned=1>',
  '<svg><style><img src=x onerror=window.pwned=1></style></svg>',
  '<!--<img src="--><img src=x onerror=window.pwned=1//">',
  '<textarea><script>window.pwned=1</script></textarea>',
  '<title><img src=x onerror=window.pwned=1></title>',
  '<xmp><img src=x onerror=window.pwned=1></xmp>',
  '`<script>window.pwned=1</script>`',
  '```html\n<script>window.pwned=1</script>\n```',
  '> <img src=x onerror=window.pwned=1>',
  '| a |\n| - |\n| <img src=x onerror=window.pwned=1> |',
  '- [x] <script>window.pwned=1</script>',
  '**<svg/onload=window.pwned=1>**',
  '[a](https://example.org "title\\" onmouseover=\\"window.pwned=1")',
  '<a href="https://example.org" target="_blank">opener</a>',
  '<a href="https://example.org" ping="https://evil.example/ping">ping</a>',
  '<img srcset="https://evil.example/x.png 1x">',
  '<picture><source srcset="https://evil.example/x.png"></picture>',
  '<isindex action="https://evil.example/" type=image src=x>',
  '<template><script>window.pwned=1</script></template>',
  '<x onclick="window.pwned=1">click</x>',
  '\u003cscript\u003ewindow.pwned=1\u003c/script\u003e',
  '&lt;script&gt;window.pwned=1&lt;/script&gt;',
];

test(`${payloads.length} hostile posts render as harmless text in Chromium`, async ({ page, db, signIn, baseURL }) => {
  test.setTimeout(90_000);
  expect(payloads.length).toBeGreaterThanOrEqual(60);
  await signIn();
  const category = (await db.select().from(categories).all()).find((c) => !c.allowedRoles?.length && !c.allowedOrganisationTypes?.length)!;
  // Posting is limited to 6 a minute per member, so several members share the corpus.
  const authors = await Promise.all(Array.from({ length: Math.ceil((payloads.length + 1) / 6) }, () => createMember(db)));
  const actors = await Promise.all(authors.map((a) => forumActor(db, a.user.id)));
  const started = await createThread(db, actors[0]!, { categoryId: category.id, title: 'XSS corpus (test)', body: payloads[0]! });
  if (!started.ok) throw new Error(started.message);
  for (let i = 1; i < payloads.length; i++) {
    const result = await createReply(db, actors[Math.floor(i / 6)]!, { threadId: started.thread.id, body: payloads[i]! });
    if (!result.ok) throw new Error(result.message);
  }

  const foreign: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(baseURL!) && !request.url().startsWith('data:')) foreign.push(request.url());
  });
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  const pages = Math.ceil(payloads.length / 20);
  for (let n = 1; n <= pages; n++) {
    await page.goto(`/forum/t/${started.thread.id}/${started.thread.slug}?page=${n}`);
    await expect(page.locator('.forum-post').first()).toBeVisible();
    // Give any onload/onerror/onfocus handler a moment to fire.
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), `page ${n}`).toBeUndefined();
    // Inspect the DOM the browser built, not the text: escaped markup in prose is fine.
    const found = await page.locator('.forum-post__body').evaluateAll((bodies) =>
      bodies.flatMap((body) =>
        [...body.querySelectorAll('*')].flatMap((el) => [
          ...(/^(script|iframe|object|embed|img|svg|math|style|link|meta|base|form|input|button|textarea|video|audio|source|picture|template|noscript)$/i.test(el.tagName) ? [`<${el.tagName}>`] : []),
          ...[...el.attributes].filter((a) => /^on/i.test(a.name) || a.name === 'style' || a.name === 'srcset' || a.name === 'ping').map((a) => `${el.tagName}[${a.name}]`),
          ...(el instanceof HTMLAnchorElement && el.hasAttribute('href') && !/^(https?:|mailto:|#|\/)/.test(el.getAttribute('href')!) ? [`href=${el.getAttribute('href')}`] : []),
        ]),
      ),
    );
    expect(found, `page ${n}`).toEqual([]);
    // The skip link still reaches the page's own main element.
    expect(await page.evaluate(() => document.getElementById('main')?.tagName)).toBe('MAIN');
  }
  expect(foreign).toEqual([]);
  expect(dialogs).toEqual([]);
});
