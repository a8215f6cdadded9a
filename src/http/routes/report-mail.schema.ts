import { z } from 'zod';
import { reportRef } from '../route-kit.ts';

/** The `_mail_*` names are reserved for the mail request; every other name is a report parameter. */
export const MAIL_PREFIX = '_mail_';

const commaList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) =>
    [value ?? []]
      .flat()
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

export const mailOptions = z.strictObject({
  /** Comma list (or the name given several times); default: the caller's own address. */
  _mail_to: commaList,
  _mail_subject: z
    .string()
    .max(200)
    .optional()
    .transform((value) => value?.replace(/[\r\n]+/g, ' ').trim() || undefined),
  _mail_attach: z
    .enum(['csv', 'xlsx', ''])
    .optional()
    .transform((value) => value || null),
});

export type MailOptions = z.infer<typeof mailOptions>;

export const mailPathParams = z.object({ report: reportRef });

/** `sent` is false when the report had no rows and the request skipped empty results. */
export const mailResultRecord = z.object({ sent: z.boolean(), rows: z.number(), to: z.array(z.string()) });
