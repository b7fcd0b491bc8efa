/** The parts of the lab store a comparison reads. */
import type { Store } from '../../../db/store';

/** What `compareExperiments` reads. */
export type CompareStore = Pick<Store, 'experiments' | 'runs' | 'metrics' | 'analyses'>;
