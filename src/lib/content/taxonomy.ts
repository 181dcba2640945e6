/**
 * The controlled vocabularies of the library. Frontmatter may only use these keys,
 * so topic pages, search filters and related-entry links never drift apart.
 */
export const topics = {
  nrm: 'National Referral Mechanism',
  'victim-identification': 'Identifying victims',
  'multi-agency': 'Multi-agency working',
  safeguarding: 'Safeguarding',
  'regional-networks': 'Regional networks',
  reporting: 'Reporting concerns',
  awareness: 'Raising awareness',
  prosecution: 'Investigation and prosecution',
  'network-news': 'Network news',
} as const;

export const regions = {
  national: 'National',
  'north-east': 'North East',
  'north-west': 'North West',
  'yorkshire-and-the-humber': 'Yorkshire and the Humber',
  'east-midlands': 'East Midlands',
  'west-midlands': 'West Midlands',
  'east-of-england': 'East of England',
  london: 'London',
  'south-east': 'South East',
  'south-west': 'South West',
  wales: 'Wales',
} as const;

export type Topic = keyof typeof topics;
export type Region = keyof typeof regions;

export const topicKeys = Object.keys(topics) as [Topic, ...Topic[]];
export const regionKeys = Object.keys(regions) as [Region, ...Region[]];

/** The three collections of the library and how a reader names one entry of each. */
export const collections = {
  guides: { label: 'Guides', singular: 'Guide' },
  awareness: { label: 'Awareness', singular: 'Awareness' },
  news: { label: 'News', singular: 'News' },
} as const;

export type CollectionName = keyof typeof collections;
export const collectionNames = Object.keys(collections) as CollectionName[];

/**
 * Every collection editors write (in the browser editor, with `npm run new`, under the
 * content checks and on the dashboard): the library's three, and resources and events.
 */
export const editedCollections = {
  ...collections,
  resources: { label: 'Resources', singular: 'Resource' },
  events: { label: 'Events', singular: 'Event' },
} as const;

export type EditedCollectionName = keyof typeof editedCollections;
export const editedCollectionNames = Object.keys(editedCollections) as EditedCollectionName[];

/** Events are a collection of their own (content/events), not a kind of news. */
export const newsKinds = {
  news: 'News',
  'workshop-report': 'Workshop report',
} as const;
export type NewsKind = keyof typeof newsKinds;

/** Who an awareness strategy's campaign is aimed at, and how the listing's filter names them. */
export const strategyAudiences = {
  public: 'The public',
  'frontline-staff': 'Frontline staff',
  businesses: 'Businesses at risk',
} as const;
export type StrategyAudience = keyof typeof strategyAudiences;
export const strategyAudienceKeys = Object.keys(strategyAudiences) as [StrategyAudience, ...StrategyAudience[]];
