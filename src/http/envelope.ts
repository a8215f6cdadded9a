/** The report API's answer shape (SPEC §6): `{message, ok, records}`. */
export interface Envelope<T = unknown> {
  message: string;
  ok: boolean;
  records: T[];
}

export const okEnvelope = <T>(records: T[], message = ''): Envelope<T> => ({ message, ok: true, records });
export const errorEnvelope = (message: string): Envelope<never> => ({ message, ok: false, records: [] });
