/** The parts of the lab store a comparison reads (and, to save one or run analyses, writes). */
import type { Store } from '../../../db/store';

/** What `compareExperiments` reads. */
export type CompareStore = Pick<Store, 'experiments' | 'runs' | 'metrics' | 'analyses'>;

/** What the optional analysis step additionally needs (checkpoints, samples, transactions). */
export type AnalyzingStore = CompareStore & Pick<Store, 'checkpoints' | 'samples' | 'transaction'>;
