import { connectionInputSchema } from '../../services/connections.ts';
import { nameParams } from '../route-kit.ts';

export const connectionParams = nameParams('connection');
export const createConnectionBody = connectionInputSchema;
/** The path names the connection; a `name` in the body is overridden by it. */
export const replaceConnectionBody = connectionInputSchema.omit({ name: true });
