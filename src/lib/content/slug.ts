import GithubSlugger from 'github-slugger';

/** The file name (and address) an entry gets from its title: lower case, words joined by single dashes. */
export function slugForTitle(title: string): string {
  return new GithubSlugger().slug(title).replace(/-+/g, '-').replace(/^-|-$/g, '');
}
