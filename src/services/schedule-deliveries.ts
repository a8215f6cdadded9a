/**
 * The deliveries of one scheduled run (SPEC §3): the run's rows stream once, batch by batch,
 * through every delivery's sinks — the mail's inline table and attachment, the API target's
 * spooled body — and then each delivery is sent. No delivery holds the whole result.
 */

import type { ScheduleRow } from '../store/tables.ts';
import type { ApiTargetClient } from './api-target.ts';
import { overCapMessage, spoolApiBody } from './api-target-body.ts';
import { openHeaders } from './api-target-headers.ts';
import { MailNotSent } from './mail-failure.ts';
import type { MailDraft, MailService } from './mailer.ts';
import type { RunOutput } from './report-runner.ts';
import type { StoredDeliveries } from './schedules.ts';
import type { SecretBox } from './server-key.ts';
import { exportRun, type TableSink } from './table-export.ts';

/** How one delivery of a run went; stored in the run's history. */
export interface DeliveryRecord {
  kind: 'email' | 'api';
  ok: boolean;
  detail: Record<string, unknown>;
  error: string | null;
}

export interface DeliveryDeps {
  box: SecretBox;
  apiTarget: Pick<ApiTargetClient, 'deliverBody'>;
  /** `API_TARGET_MAX_ROWS`. */
  apiMaxRows: number;
  /** The slice of the mail service that schedules use; absent when mail is not wired. */
  mailer?: Pick<MailService, 'draftRun'> | null | undefined;
}

/** A delivery ready for the rows: `feed` takes them, `send` delivers, `dispose` cleans up. */
interface OpenDelivery {
  feed: Feed | null;
  send(rows: number): Promise<DeliveryRecord>;
  dispose(): Promise<void>;
}

/**
 * A sink whose failure fails its own delivery only: a CSV attachment refusing a second table
 * must not stop the API target from receiving the rows.
 */
function isolated(sinks: readonly TableSink[]) {
  const state: { error: Error | null } = { error: null };
  const guard = async (work: (sink: TableSink) => unknown) => {
    if (state.error) return;
    try {
      for (const sink of sinks) await work(sink);
    } catch (error) {
      state.error = error as Error;
    }
  };
  const sink: TableSink = {
    table(title, columns) {
      if (state.error) return;
      try {
        for (const each of sinks) each.table(title, columns);
      } catch (error) {
        state.error = error as Error;
      }
    },
    rows: (rows) => guard((each) => each.rows(rows)),
    end: () => guard((each) => each.end()),
  };
  return { sink, failure: () => state.error };
}

type Feed = ReturnType<typeof isolated>;

type EmailDelivery = NonNullable<StoredDeliveries['email']>;

const emailFailed = (email: EmailDelivery, error: string, detail: Record<string, unknown> = {}) =>
  ({ kind: 'email', ok: false, detail: { to: email.to, ...detail }, error }) satisfies DeliveryRecord;

/** A delivery that failed before any row: it takes none and reports its failure. */
const failedEarly = (record: DeliveryRecord): OpenDelivery => ({
  feed: null,
  send: async () => record,
  dispose: async () => {},
});

/** Sends a drafted message unless its sinks failed; a mail failure names its real cause. */
async function sendDraft(email: EmailDelivery, draft: MailDraft, feed: Feed, rows: number) {
  const broken = feed.failure();
  if (broken) return emailFailed(email, broken.message);
  try {
    const sent = await draft.send(rows);
    return {
      kind: 'email',
      ok: true,
      detail: { to: email.to, ...sent },
      error: null,
    } satisfies DeliveryRecord;
  } catch (error) {
    // The owner sees why: "connection refused (mail server host:port)", not a generic 502.
    if (error instanceof MailNotSent) {
      return emailFailed(email, error.failure.reason, { attempts: error.attempts });
    }
    return emailFailed(email, (error as Error).message);
  }
}

export function scheduleDeliveries(deps: DeliveryDeps) {
  async function openEmail(schedule: ScheduleRow, email: EmailDelivery, output: RunOutput) {
    if (!deps.mailer) return failedEarly(emailFailed(email, 'mail is not configured'));
    let draft: MailDraft;
    try {
      draft = await deps.mailer.draftRun({
        to: email.to,
        subject: `${schedule.name} (${output.report.name})`,
        report: output.report,
        intro: `Scheduled run of "${output.report.name}".`,
        attach: email.attach ?? null,
        skipIfEmpty: email.skipIfEmpty ?? false,
        retry: true,
      });
    } catch (error) {
      return failedEarly(emailFailed(email, (error as Error).message));
    }
    const feed = isolated(draft.sinks);
    return {
      feed,
      send: (rows: number) => sendDraft(email, draft, feed, rows),
      dispose: () => draft.dispose(),
    };
  }

  async function openApi(
    api: NonNullable<StoredDeliveries['api']>,
    output: RunOutput,
  ): Promise<OpenDelivery> {
    const { url } = api;
    const headers = openHeaders(api, deps.box);
    const secret = api.secret_sealed ? deps.box.open(api.secret_sealed) : null;
    const spool = await spoolApiBody({ kind: output.kind, secret, maxRows: deps.apiMaxRows });
    const feed = isolated([spool.sink]);
    return {
      feed,
      async send() {
        const broken = feed.failure();
        if (broken || spool.overCap()) {
          const error = broken?.message ?? overCapMessage(deps.apiMaxRows);
          return { kind: 'api', ok: false, detail: { url, attempts: 0, status: null }, error };
        }
        const result = await deps.apiTarget.deliverBody({ url, headers }, spool.body());
        const detail = { url, attempts: result.attempts, status: result.status };
        return { kind: 'api', ok: result.ok, detail, error: result.error };
      },
      dispose: () => spool.dispose(),
    };
  }

  return {
    /** Opens every delivery's sinks, streams the rows through them once, then sends each. */
    async deliver(schedule: ScheduleRow, output: RunOutput) {
      const deliveries = JSON.parse(schedule.deliveries_json) as StoredDeliveries;
      const opened: OpenDelivery[] = [];
      try {
        if (deliveries.email) opened.push(await openEmail(schedule, deliveries.email, output));
        if (deliveries.api) opened.push(await openApi(deliveries.api, output));
        const rows = await exportRun(
          output,
          opened.flatMap((delivery) => (delivery.feed ? [delivery.feed.sink] : [])),
        );
        const results: DeliveryRecord[] = [];
        for (const delivery of opened) results.push(await delivery.send(rows));
        return { rows, results };
      } finally {
        for (const delivery of opened) await delivery.dispose();
      }
    },
  };
}
