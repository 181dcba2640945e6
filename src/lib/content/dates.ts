const formatter = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** GOV.UK style: "3 September 2015". */
export function formatDate(d: Date): string {
  return formatter.format(d);
}

/** For `datetime` attributes: "2015-09-03". */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
