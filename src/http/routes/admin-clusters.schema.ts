import { z } from 'zod';
import { type ClusterView, clusterInputSchema } from '../../services/clusters.ts';
import { exactly } from '../envelope.ts';
import { nameParams } from '../route-kit.ts';

export const clusterParams = nameParams('cluster');
/** The path names the cluster; a `name` in the body is overridden by it. */
export const replaceClusterBody = clusterInputSchema.omit({ name: true });

export const clusterRecord = exactly<ClusterView>()(
  z.object({ id: z.number(), name: z.string(), connections: z.array(z.string()) }),
);
