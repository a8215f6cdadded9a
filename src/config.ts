/**
 * The only reader of `process.env`. Every variable is documented here and in docs/configuration.md;
 * a bad value stops the start with a list of everything that is wrong.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/** Feature switches the code knows; an unknown name is a typo that would silently do nothing. */
export const KNOWN_FEATURES = ['audit'] as const;

/** A host name: dot-separated labels of letters, digits and inner hyphens (`localhost` included). */
const hostLabels = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*';
const domainPattern = new RegExp(`^(?=.{1,253}$)${hostLabels}$`, 'i');
const emailPattern = new RegExp(`^[^\\s@<>,;"]+@${hostLabels}$`, 'i');
/** `addr@host` or `Name <addr@host>` — what nodemailer and mail servers accept as a From header. */
const mailFromPattern = /^(?:[^<>]*<([^<>]+)>|([^<>]+))$/;

/** A comma list whose every item must pass `valid`; a bad item is named in the error. */
function checkedList(valid: (item: string) => boolean, what: string) {
  return commaList.superRefine((items, ctx) => {
    for (const item of items)
      if (!valid(item)) ctx.addIssue({ code: 'custom', message: `"${item}" is not ${what}` });
  });
}

function isMailFrom(value: string): boolean {
  const match = mailFromPattern.exec(value.trim());
  const address = (match?.[1] ?? match?.[2] ?? '').trim();
  return emailPattern.test(address);
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const envSchema = z.object({
  /** Emails that are admins whatever their groups. */
  CUSTOM_ADMIN_USERS: checkedList((item) => emailPattern.test(item), 'an email address'),
  /** The one group whose members are admins. */
  CUSTOM_ADMIN_GROUP: z.string().min(1).default('admin'),
  /** The group whose members are editors. */
  CUSTOM_EDITOR_GROUP: z.string().min(1).default('editor'),
  /** Host name shown to templates as `host`. */
  CUSTOM_HOSTNAME: z.string().default('localhost'),
  /** Feature switches; `audit` turns on query audit. */
  CUSTOM_FEATURES: checkedList(
    (item) => (KNOWN_FEATURES as readonly string[]).includes(item),
    `a known feature (known: ${KNOWN_FEATURES.join(', ')})`,
  ),
  CUSTOM_REPORT_AUDIT_AGE_DAYS: z.coerce.number().int().positive().default(45),
  /** Mail domains that /report/mail may send to besides the caller's own address. */
  CUSTOM_MAIL_DOMAINS: checkedList((item) => domainPattern.test(item), 'a domain name such as example.com'),
  /** `smtp://user:pass@host:587` or `smtps://…:465`; mail is off when unset. */
  SMTP_URL: z.string().optional(),
  /** The From header of mail the server sends; default `Secure Reporter <reports@CUSTOM_HOSTNAME>`. */
  MAIL_FROM: z.string().refine(isMailFrom, 'must be addr@host or Name <addr@host>').optional(),
  /** Folder of the SQLite metadata file, generated secrets, the demo database and uploads. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** `postgres://…` for a PostgreSQL metadata store; default is `<DATA_DIR>/secure-reporter.sqlite`. */
  DATABASE_URL: z.string().optional(),
  /** Bound on opening one metadata store connection (PostgreSQL); a hanging server fails after it. */
  STORE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  /** Tries to reach the metadata store at start-up before the process gives up (exit 1). */
  STORE_START_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
  /** After SIGTERM, how long in-flight requests and running schedules may take to finish. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** After SIGTERM, how long /readyz answers 503 before the listener closes (load balancer drain). */
  SHUTDOWN_DELAY_SECONDS: z.coerce.number().min(0).max(300).default(0),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Key that encrypts connection passwords at rest; generated into DATA_DIR when absent. */
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  SECRET_KEY_FILE: z.string().optional(),
  /** Whether `X-Forwarded-For` is trusted for the client address. */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  LOG_LEVEL: logLevel.default('info'),
  /** OpenID Connect issuer URL; SSO is on when this and OIDC_CLIENT_ID are set. */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  /** The ID token / userinfo claim that lists the user's groups. */
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** Space-separated scopes asked of the provider; add the one that releases the groups claim. */
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  /** Browser session lifetime, extended while the session is in use. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(12),
  /** The address browsers use to reach the server; the SSO redirect URI is built from it. */
  PUBLIC_URL: z.url().optional(),
  /** `true` lets schedules deliver to private, loopback and link-local addresses (API targets). */
  ALLOW_PRIVATE_TARGETS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  /** Most rows a schedule's API-target body holds; a larger result fails that delivery, unsent. */
  API_TARGET_MAX_ROWS: z.coerce.number().int().min(1).max(100_000_000).default(100_000),
  /** `false` skips the demo data source and reports at first start. */
  DEMO: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  /** Bearer token that `/metrics` requires; `/metrics` is off when neither this nor the file is set. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_TOKEN_FILE: z.string().optional(),
});

/** METRICS_TOKEN, or the trimmed content of METRICS_TOKEN_FILE (a mounted secret). */
function metricsTokenOf(e: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  if (e.METRICS_TOKEN || !e.METRICS_TOKEN_FILE) return e.METRICS_TOKEN;
  try {
    const token = readFileSync(e.METRICS_TOKEN_FILE, 'utf8').trim();
    if (token.length < 16) problems.push('METRICS_TOKEN_FILE: the token must be at least 16 characters');
    return token;
  } catch {
    problems.push(`METRICS_TOKEN_FILE: cannot read ${e.METRICS_TOKEN_FILE}`);
    return undefined;
  }
}

export interface Config {
  adminUsers: readonly string[];
  adminGroup: string;
  editorGroup: string;
  hostname: string;
  features: ReadonlySet<string>;
  auditAgeDays: number;
  mailDomains: readonly string[];
  /** Undefined when mail is not configured. */
  smtpUrl: string | undefined;
  mailFrom: string;
  dataDir: string;
  /** `sqlite:<file>` or a `postgres://` URL. */
  databaseUrl: string;
  storeConnectTimeoutMs: number;
  storeStartAttempts: number;
  shutdownTimeoutSeconds: number;
  shutdownDelaySeconds: number;
  port: number;
  host: string;
  /** Present when given by SECRET_KEY or SECRET_KEY_FILE; otherwise generated in DATA_DIR. */
  secretKey: string | undefined;
  /** Which variable gave `secretKey`; named in messages about a key that does not fit the store. */
  secretKeySource: 'SECRET_KEY' | 'SECRET_KEY_FILE' | undefined;
  trustProxy: boolean;
  logLevel: z.infer<typeof logLevel>;
  demo: boolean;
  /** Null when SSO is not configured. */
  oidc: OidcConfig | null;
  sessionTtlHours: number;
  /** Without a trailing slash; undefined means "the address the request came to". */
  publicUrl: string | undefined;
  /** Whether API targets may be private, loopback or link-local addresses. */
  allowPrivateTargets: boolean;
  /** `API_TARGET_MAX_ROWS`. */
  apiTargetMaxRows: number;
  /** The bearer token `/metrics` requires; undefined turns `/metrics` off. */
  metricsToken: string | undefined;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  groupsClaim: string;
  scopes: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Bad configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Checks that span variables or read files. They look at the raw environment, so they run (and
 * report) even when the schema pass found problems: one start shows everything that is wrong.
 */
function crossChecks(
  env: NodeJS.ProcessEnv,
  problems: string[],
): { secretKey: string | undefined; metricsToken: string | undefined } {
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    problems.push('DATABASE_URL: must start with postgres:// or sqlite:');
  }
  let secretKey = env.SECRET_KEY || undefined;
  if (!secretKey && env.SECRET_KEY_FILE) {
    try {
      secretKey = readFileSync(env.SECRET_KEY_FILE, 'utf8').trim();
      if (secretKey.length < 32) problems.push('SECRET_KEY_FILE: the key must be at least 32 characters');
    } catch {
      problems.push(`SECRET_KEY_FILE: cannot read ${env.SECRET_KEY_FILE}`);
    }
  }
  if (Boolean(env.OIDC_ISSUER) !== Boolean(env.OIDC_CLIENT_ID)) {
    problems.push('OIDC_ISSUER and OIDC_CLIENT_ID: set both to turn on SSO, or neither');
  }
  if (env.SMTP_URL && !/^smtps?:\/\//.test(env.SMTP_URL))
    problems.push('SMTP_URL: must start with smtp:// or smtps://');
  return { secretKey, metricsToken: metricsTokenOf(env, problems) };
}

/** Reads and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const { secretKey, metricsToken } = crossChecks(env, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL || `sqlite:${path.join(dataDir, 'secure-reporter.sqlite')}`;
  return Object.freeze({
    adminUsers: e.CUSTOM_ADMIN_USERS.map((email) => email.toLowerCase()),
    adminGroup: e.CUSTOM_ADMIN_GROUP,
    editorGroup: e.CUSTOM_EDITOR_GROUP,
    hostname: e.CUSTOM_HOSTNAME,
    features: new Set(e.CUSTOM_FEATURES),
    auditAgeDays: e.CUSTOM_REPORT_AUDIT_AGE_DAYS,
    mailDomains: e.CUSTOM_MAIL_DOMAINS.map((domain) => domain.toLowerCase()),
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM ?? `Secure Reporter <reports@${e.CUSTOM_HOSTNAME}>`,
    dataDir,
    databaseUrl,
    storeConnectTimeoutMs: e.STORE_CONNECT_TIMEOUT_MS,
    storeStartAttempts: e.STORE_START_ATTEMPTS,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    shutdownDelaySeconds: e.SHUTDOWN_DELAY_SECONDS,
    port: e.PORT,
    host: e.HOST,
    secretKey,
    secretKeySource: e.SECRET_KEY ? 'SECRET_KEY' : secretKey ? 'SECRET_KEY_FILE' : undefined,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    demo: e.DEMO,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET || undefined,
            groupsClaim: e.OIDC_GROUPS_CLAIM,
            scopes: e.OIDC_SCOPES,
          }
        : null,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    apiTargetMaxRows: e.API_TARGET_MAX_ROWS,
    metricsToken,
  });
}
