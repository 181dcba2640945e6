/**
 * Demo forum for a new embedded database: the network's categories (one restricted to
 * PCCs' offices, police forces and the NPCC) and a few fictional conversations between
 * the demo members of seed.ts. Every thread title ends "(demo)" and every row is marked
 * `is_demo`; like the rest of the demo data it is never loaded when NODE_ENV=production.
 *
 * Rows are written directly (not through createThread/createReply) so that the
 * conversations can be dated in the past and skip the posting rate limit; counters,
 * read positions and subscriptions are set as those functions would set them.
 */
import { eq, inArray } from 'drizzle-orm';
import { categories, posts, readStates, threadSubscriptions, threads, users, type OrganisationType } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { renderMarkdown } from '#lib/forum/markdown.ts';
import { slugify } from '#lib/forum/limits.ts';
import { GUIDES_CATEGORY } from '#lib/forum/guide-threads.ts';

type DemoAuthor = 'admin' | 'editor' | 'moderator' | 'member';

interface DemoThread {
  category: string;
  title: string;
  pinned?: boolean;
  locked?: boolean;
  guideKey?: string;
  /** Days ago the thread started; each post comes some hours after the one before. */
  startedDaysAgo: number;
  posts: { by: DemoAuthor; hoursLater: number; text: string }[];
}

const demoCategories: { slug: string; name: string; description: string; allowedOrganisationTypes?: OrganisationType[] }[] = [
  {
    slug: 'victim-identification-and-the-nrm',
    name: 'Victim identification and the NRM',
    description: 'Spotting the indicators, first responder duties and referrals into the National Referral Mechanism.',
  },
  {
    slug: 'multi-agency-working',
    name: 'Multi-agency working',
    description: 'Joint working between police, Border Force, the CPS, local authorities, health, housing and charities.',
  },
  {
    slug: 'awareness-campaigns',
    name: 'Awareness campaigns',
    description: 'Campaigns for the public and for frontline staff: what ran, where, and what it achieved.',
  },
  { slug: 'regional-networks', name: 'Regional networks', description: 'News and meetings of the regional anti-trafficking networks.' },
  { slug: GUIDES_CATEGORY.slug, name: GUIDES_CATEGORY.name, description: GUIDES_CATEGORY.description },
  {
    slug: 'pccs-and-chiefs',
    name: 'PCCs and chiefs',
    description: 'For the offices of Police and Crime Commissioners, police forces and the NPCC only: commissioning, funding and force-level questions.',
    allowedOrganisationTypes: ['opcc', 'police-force', 'npcc'],
  },
];

const demoThreads: DemoThread[] = [
  {
    category: 'multi-agency-working',
    title: 'Welcome to multi-agency working: read this first (demo)',
    pinned: true,
    startedDaysAgo: 40,
    posts: [
      {
        by: 'moderator',
        hoursLater: 0,
        text: '**This is demo content.**\n\nUse this category for joint working between agencies. Before you post:\n\n- never include a victim’s name, date of birth, address, phone number or case references;\n- link to a guide rather than pasting it;\n- say which region you are in, as practice differs.\n\nThe portal warns you if a post looks like it holds personal data.',
      },
    ],
  },
  {
    category: 'multi-agency-working',
    title: 'Sharing information with health partners before a warrant (demo)',
    startedDaysAgo: 9,
    posts: [
      {
        by: 'editor',
        hoursLater: 0,
        text: 'A fictional question for the demo: when a warrant is planned at premises where potential victims may be found, how early do you bring in the local NHS safeguarding team?\n\nWe have tried two approaches:\n\n1. a briefing the day before, under an information sharing agreement;\n2. a named health lead on the command team from the start.',
      },
      {
        by: 'member',
        hoursLater: 5,
        text: 'From the charity side (demo): option 2 worked far better for us. The health lead could arrange interpreters and a clinic slot before the day, and reception centre staff knew who to call.',
      },
      {
        by: 'admin',
        hoursLater: 30,
        text: 'Agreed (demo). The [running a multi-agency response guide](/guides/running-a-multi-agency-response) covers the command structure; its next review could add a line on when health joins.',
      },
    ],
  },
  {
    category: 'victim-identification-and-the-nrm',
    title: 'First responder training for housing officers (demo)',
    startedDaysAgo: 6,
    posts: [
      {
        by: 'member',
        hoursLater: 0,
        text: 'Has anyone run NRM first responder awareness sessions for housing officers? (demo)\n\nOur housing partners are not first responders themselves, but they are often the first to notice overcrowding or someone who never holds their own tenancy papers.',
      },
      {
        by: 'moderator',
        hoursLater: 3,
        text: 'Yes (demo). We ran a 90-minute session covering:\n\n| Part | Minutes |\n| --- | --- |\n| Indicators at a property | 30 |\n| Who to call and when | 30 |\n| Case studies | 30 |\n\nThe key message was: *you do not need to be sure*, pass it on to a first responder organisation.',
      },
      {
        by: 'editor',
        hoursLater: 20,
        text: '> The key message was: *you do not need to be sure*\n\nThis matches what our PCC office heard from frontline staff (demo). Would you share the slides in the Practice guides category?',
      },
    ],
  },
  {
    category: 'awareness-campaigns',
    title: 'Hand car wash awareness week: what worked (demo)',
    startedDaysAgo: 15,
    posts: [
      {
        by: 'member',
        hoursLater: 0,
        text: 'Summary of our fictional awareness week (demo):\n\n- posters in two languages at supermarkets near car washes;\n- a radio interview with a survivor-led charity;\n- leaflets for taxi drivers.\n\nCalls to the helpline from our area went up in the following month, though we cannot say how much was down to the campaign.',
      },
      { by: 'editor', hoursLater: 48, text: 'Thanks (demo). Did you measure anything else, such as visits to the campaign page?' },
    ],
  },
  {
    category: 'regional-networks',
    title: 'North East network: next quarterly meeting (demo)',
    startedDaysAgo: 3,
    posts: [
      {
        by: 'editor',
        hoursLater: 0,
        text: 'The next (fictional) quarterly meeting of the North East network is online. Agenda items welcome in this thread (demo):\n\n1. Updates from each force area\n2. The regional awareness calendar\n3. Any other business',
      },
    ],
  },
  {
    category: 'regional-networks',
    title: 'Regional chairs for 2025 (archived) (demo)',
    locked: true,
    startedDaysAgo: 120,
    posts: [
      { by: 'moderator', hoursLater: 0, text: 'This thread is kept for reference and is locked (demo). See the network pages for current chairs.' },
    ],
  },
  {
    category: GUIDES_CATEGORY.slug,
    title: 'Working with interpreters (demo)',
    guideKey: 'guides/working-with-interpreters',
    startedDaysAgo: 12,
    posts: [
      {
        by: 'moderator',
        hoursLater: 0,
        text: 'This thread discusses the practice guide [Working with interpreters](/guides/working-with-interpreters). (demo)\n\nShare how you have used the guide, ask questions about it, and suggest changes for its next review.',
      },
      { by: 'member', hoursLater: 26, text: 'The checklist on briefing an interpreter before an interview was the most useful part for us (demo).' },
    ],
  },
  {
    category: 'pccs-and-chiefs',
    title: 'Commissioning victim support for 2026/27 (demo)',
    startedDaysAgo: 5,
    posts: [
      {
        by: 'editor',
        hoursLater: 0,
        text: 'For PCC offices and forces only (demo): how are you structuring next year’s commissioning of specialist support for survivors, and are you pooling budgets across the region?',
      },
      { by: 'admin', hoursLater: 7, text: 'Speaking for the fictional NPCC unit (demo): a regional pool has worked where one office leads the contract.' },
    ],
  },
];

const demoEmails: Record<DemoAuthor, string> = {
  admin: 'admin@demo.nmsn.test',
  editor: 'editor@demo.nmsn.test',
  moderator: 'moderator@demo.nmsn.test',
  member: 'member@demo.nmsn.test',
};

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Loads the demo forum; call after the demo members exist (seedDemoData does). */
export async function seedDemoForum(db: Database, now = new Date()): Promise<void> {
  const members = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, Object.values(demoEmails))).all();
  const idOf = (who: DemoAuthor) => members.find((m) => m.email === demoEmails[who])!.id;

  await write(db, async (tx) => {
    const categoryIds = new Map<string, number>();
    for (const [position, category] of demoCategories.entries()) {
      const existing = await tx.select().from(categories).where(eq(categories.slug, category.slug)).get();
      const row =
        existing ??
        (await tx
          .insert(categories)
          .values({ ...category, allowedOrganisationTypes: category.allowedOrganisationTypes ?? null, position: (position + 1) * 10, isDemo: true })
          .returning())[0]!;
      categoryIds.set(category.slug, row.id);
    }

    for (const demo of demoThreads) {
      const started = now.getTime() - demo.startedDaysAgo * DAY;
      const times = demo.posts.map((p) => new Date(started + p.hoursLater * HOUR));
      const [thread] = await tx
        .insert(threads)
        .values({
          categoryId: categoryIds.get(demo.category)!,
          title: demo.title,
          slug: slugify(demo.title),
          authorId: idOf(demo.posts[0]!.by),
          createdAt: times[0]!,
          bumpedAt: times.at(-1)!,
          pinned: demo.pinned ?? false,
          locked: demo.locked ?? false,
          replyCount: demo.posts.length - 1,
          highestPostNumber: demo.posts.length,
          guideKey: demo.guideKey ?? null,
          isDemo: true,
        })
        .returning();
      for (const [i, post] of demo.posts.entries()) {
        const authorId = idOf(post.by);
        await tx.insert(posts).values({ threadId: thread!.id, postNumber: i + 1, authorId, raw: post.text, html: renderMarkdown(post.text), createdAt: times[i]!, isDemo: true });
        await tx.insert(threadSubscriptions).values({ userId: authorId, threadId: thread!.id, level: 'watching' }).onConflictDoNothing();
        await tx
          .insert(readStates)
          .values({ userId: authorId, threadId: thread!.id, lastReadPostNumber: i + 1 })
          .onConflictDoUpdate({ target: [readStates.userId, readStates.threadId], set: { lastReadPostNumber: i + 1 } });
      }
    }
  });
}
