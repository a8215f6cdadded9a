import { clusterInputSchema } from '../../services/clusters.ts';
import { nameParams } from '../route-kit.ts';

export const clusterParams = nameParams('cluster');
/** The path names the cluster; a `name` in the body is overridden by it. */
export const replaceClusterBody = clusterInputSchema.omit({ name: true });
