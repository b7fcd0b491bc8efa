/**
 * Every built-in study at the `tiny` scale — the scale a user runs first on a laptop — end to
 * end on wasm: real worker processes train into a real store, the analysis step runs, and the
 * stored report's numbers are the ones the study returned. (The `test`-scale suite next to this
 * one checks the numbers against the store's rows in detail, at a fraction of the cost.)
 */
import { describe, expect, it } from 'vitest';
import { listStudyReports, runStudy, STUDIES } from '../../../src/experiments/studies';
import { extractReportData } from '../../../src/reports';
import { studyLab } from './study-lab';

const { store, lab } = studyLab('homolab-studies-tiny-');

describe('studies at the tiny scale (wasm)', () => {
  it.each(STUDIES.map((s) => s.id))(
    '%s runs end to end and stores its report',
    async (id) => {
      const r = await runStudy(id, { store, lab, scale: 'tiny' });
      expect(r.scale).toBe('tiny');
      expect(r.runIds.length).toBeGreaterThanOrEqual(2);
      for (const runId of r.runIds) expect(store.runs.require(runId).status).toBe('completed');
      expect(r.verdicts.length).toBeGreaterThan(0);
      // The report in the store is the one returned, and its HTML embeds the same numbers.
      const stored = listStudyReports(store, id).find((a) => a.id === r.analysis.id);
      expect(stored).toBeDefined();
      expect(stored!.result.headline).toEqual(r.headline);
      expect(extractReportData(stored!.result.html)).toEqual(
        JSON.parse(JSON.stringify(r.document.data)),
      );
    },
    900_000,
  );
});
