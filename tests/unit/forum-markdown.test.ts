import { describe, expect, it } from 'vitest';
import { markdownProblem, renderMarkdown } from '#lib/forum/markdown.ts';
import { bodySchema } from '#lib/forum/limits.ts';

describe('post Markdown', () => {
  it('renders headings, lists, code, quotes and tables', () => {
    const html = renderMarkdown(['# Title', '', '- one', '- two', '', '> quoted', '', '`inline`', '', '```', 'block', '```', '', '| a | b |', '| - | - |', '| 1 | 2 |'].join('\n'));
    expect(html).toContain('<ul>');
    expect(html).toContain('<li>one</li>');
    expect(html).toMatch(/<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
    expect(html).toContain('<code>inline</code>');
    expect(html).toContain('<pre><code>block');
    expect(html).toMatch(/<table>[\s\S]*<th>a<\/th>[\s\S]*<td>2<\/td>/);
  });

  it('shifts headings under the page’s own: # becomes h3, ###### stays h6', () => {
    expect(renderMarkdown('# One\n\n## Two\n\n#### Four\n\n###### Six')).toBe('<h3>One</h3>\n<h4>Two</h4>\n<h6>Four</h6>\n<h6>Six</h6>');
  });

  it('gives every link rel="nofollow ugc noopener", autolinks included', () => {
    expect(renderMarkdown('[site](https://example.org/page)')).toBe('<p><a href="https://example.org/page" rel="nofollow ugc noopener">site</a></p>');
    expect(renderMarkdown('see https://example.org')).toContain('<a href="https://example.org" rel="nofollow ugc noopener">');
    expect(renderMarkdown('[guide](/guides/x)')).toContain('<a href="/guides/x" rel="nofollow ugc noopener">guide</a>');
  });

  it('drops javascript:, data: and vbscript: links but keeps their text', () => {
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'jav&#x09;ascript:alert(1)']) {
      const html = renderMarkdown(`[click](${url})`);
      expect(html, url).not.toMatch(/href=/);
      expect(html, url).not.toMatch(/javascript|vbscript|data:/i);
      expect(html, url).toContain('click');
    }
    expect(renderMarkdown('<javascript:alert(1)>')).not.toMatch(/href="javascript/i);
  });

  it('never passes raw HTML through', () => {
    const corpus = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<iframe src="https://evil.example"></iframe>',
      '<a href="https://example.org" onclick="alert(1)">x</a>',
      '<div style="position:fixed">cover</div>',
      '<svg onload=alert(1)>',
      '<form action="https://evil.example"><input name=password></form>',
      '<style>body{display:none}</style>',
    ];
    for (const raw of corpus) {
      const html = renderMarkdown(`Text ${raw} more`);
      expect(html, raw).not.toMatch(/<(script|img|iframe|div|svg|form|input|style)\b/i);
      expect(html, raw).not.toMatch(/\son\w+=/i);
      expect(html, raw).not.toMatch(/style=/i);
    }
  });

  it('drops images, local or remote, so a post cannot load anything', () => {
    expect(renderMarkdown('![a chart](https://evil.example/track.png)')).not.toContain('<img');
    expect(renderMarkdown('![a chart](/favicon.svg)')).not.toContain('<img');
    expect(renderMarkdown('[![x](https://evil.example/a.png)](https://example.org)')).not.toContain('<img');
  });

  it('prefixes ids so a post cannot clobber the page’s own', () => {
    const html = renderMarkdown('Note[^1]\n\n[^1]: the note');
    for (const id of html.matchAll(/\sid="([^"]+)"/g)) expect(id[1]).toMatch(/^post-content-/);
  });

  describe('too much structure (found by fuzzing: a stack overflow, and 20–50 s of parsing for one post)', () => {
    const deep = ['> '.repeat(10_000), '1. '.repeat(6_000), '- > '.repeat(5_000), '>'.repeat(20_000), `${'  '.repeat(11)}- x`];
    const dense = ['~a'.repeat(10_000), '*a'.repeat(10_000), `${'['.repeat(300)}\n${']'.repeat(300)}`];

    it('refuses deep nesting and dense markup with a sentence for the member', () => {
      for (const raw of deep) expect(markdownProblem(raw), raw.slice(0, 12)).toMatch(/Nest quotes and lists at most 10 levels deep/);
      for (const raw of dense) expect(markdownProblem(raw), raw.slice(0, 12)).toMatch(/at most 500 of the characters/);
      expect(bodySchema.safeParse('> '.repeat(10_000)).error?.issues[0]?.message).toMatch(/Nest quotes and lists/);
    });

    it('accepts what real posts do: nested lists and quotes, code blocks, emphasis in every paragraph', () => {
      const ordinary = ['- one', '  - two', '    - three', '', '> quoted', '> > quoted again', '', '```', '*'.repeat(2_000), '```', '', ('Some *words* and _more_. '.repeat(20) + '\n\n').repeat(30)].join('\n');
      expect(markdownProblem(ordinary)).toBeNull();
      expect(markdownProblem('1. '.repeat(10) + 'x')).toBeNull();
    });

    it('shows such text as plain, escaped text rather than throwing', () => {
      expect(() => renderMarkdown('> '.repeat(10_000))).not.toThrow();
      expect(renderMarkdown(`${'> '.repeat(20)}<script>alert(1)</script>\nnext`)).toBe(`<p>${'&gt; '.repeat(20)}&lt;script&gt;alert(1)&lt;/script&gt;<br>\nnext</p>`);
    });
  });
});
