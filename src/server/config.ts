import { z } from 'zod';

const serverConfigSchema = z.object({
  HOST: z.string().min(1).default('localhost'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4321),
  SITE_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export interface ServerConfig {
  host: string;
  port: number;
  publicOrigin: URL;
}

/** Validates the server's environment; a bad value stops start-up with one line naming it. */
export function loadServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = serverConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Configuration error: ${String(issue.path[0])} ${issue.message.toLowerCase()}`);
  }
  const { HOST, PORT, SITE_URL } = parsed.data;
  return { host: HOST, port: PORT, publicOrigin: new URL(SITE_URL ?? `http://localhost:${PORT}`) };
}
