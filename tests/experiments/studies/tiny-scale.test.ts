/**
 * Every built-in study at the `tiny` scale — the scale a user runs first on a laptop — end to
 * end on wasm: real worker processes train into a real store, the analysis step runs, and the
 * stored report's numbers are the ones the study returned. Models this small do not learn their
 * task, so every verdict must be `inconclusive` with the failing gate named (a `reproduced` on
 * runs that did not learn is the defect this guards against). The `test`-scale suite next to
 * this one checks the numbers against the store's rows in detail, at a fraction of the cost.
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
      const failed = r.gates.filter((g) => !g.passed);
      expect(failed.length).toBeGreaterThan(0);
      for (const v of r.verdicts) {
        expect(v.status).toBe('inconclusive');
        expect(v.evidence).toMatch(/gate failed: /);
        expect(failed.some((g) => v.evidence.includes(`${g.name} (`))).toBe(true);
      }
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
